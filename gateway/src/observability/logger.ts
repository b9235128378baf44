import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths redacted in every log line, whatever a caller passes by mistake: the gateway never logs
 * request bodies, but a stray object holding patient fields must still come out censored.
 */
const REDACTED_PATHS = [
  'body', '*.body', 'patient', '*.patient', 'nir', '*.nir', 'result', '*.result', 'test', '*.test',
  'birthName', 'firstNames', 'usedName', 'birthDate', 'email', 'phone', 'address', '*.address',
  'externalRef', '*.externalRef',
  'headers.authorization', '*.headers.authorization', 'headers.cookie', '*.headers.cookie',
  'err.message', 'err.stack', 'error.message',
];

/**
 * The gateway's JSON logger, with redaction configured here and nowhere else.
 * @example const log = createLogger({ level: 'info' }); log.info({ requestId }, 'request');
 */
export function createLogger(o: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: o.level ?? process.env.GATEWAY_LOG_LEVEL ?? 'info',
      base: { service: 'sidep-gateway' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Errors are logged by name and code only: messages of foreign errors can quote input.
      serializers: { err: (e: unknown) => errorSummary(e) },
    },
    o.destination,
  );
}

/** What may be logged of an error: its class and stable code. */
export function errorSummary(e: unknown): { type: string; code?: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { type: e.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { type: typeof e };
}
