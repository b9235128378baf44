import { pino, type DestinationStream, type Level, type Logger, type MultiStreamRes } from 'pino';

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
 * The gateway's JSON logger, with redaction configured here and nowhere else. Its level is the
 * caller's (serve: the settings' `operator.logLevel`): the logger reads no environment.
 * @example const log = createLogger({ level: 'info' }); log.info({ requestId }, 'request');
 */
export function createLogger(o: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: o.level,
      base: { service: 'sidep-gateway' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Errors are logged by name and code only: messages of foreign errors can quote input.
      serializers: { err: (e: unknown) => errorSummary(e) },
    },
    // a multistream, so that forwarding (`forwardLogLines`) can join once settings are known
    pino.multistream([{ level: o.level as Level, stream: o.destination ?? pino.destination(1) }]),
  );
}

/**
 * Sends every line `log` (or any logger derived from it) writes from now on at `level` or above
 * also to `stream`, after redaction: forwarded lines are the lines written locally. Returns the
 * function that stops it.
 * @example const stop = forwardLogLines(log, forwarder.stream, 'info');
 */
export function forwardLogLines(log: Logger, stream: { write(line: string): void }, level: Level = 'info'): () => void {
  const streams = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as MultiStreamRes;
  streams.add({ level, stream });
  const id = (streams as unknown as { lastId: number }).lastId; // the id `add` gave it
  return () => {
    streams.remove(id);
  };
}

/** What may be logged of an error: its class and stable code. */
export function errorSummary(e: unknown): { type: string; code?: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { type: e.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { type: typeof e };
}
