import { hostname } from 'node:os';

// How a forwarded record travels: an RFC 5424 syslog frame, or a record of an OTLP/HTTP JSON body.

/** One line to forward: a log line (already redacted) or an audit event, as JSON. */
export interface ForwardedRecord {
  type: 'log' | 'audit';
  /** Milliseconds since the epoch. */
  time: number;
  /** pino's numeric level (audit events: 30, or 40 for a denial or failure). */
  level: number;
  json: string;
}

// RFC 5424 §6.2.1 severities from pino levels.
const syslogSeverity = (level: number) => (level >= 60 ? 2 : level >= 50 ? 3 : level >= 40 ? 4 : level >= 30 ? 6 : 7);

/** One RFC 5424 message, framed by octet counting (RFC 6587 §3.4.1): `<length> <message>`. */
export function syslogFrame(r: ForwardedRecord, o: { facility: number; host: string; appName: string; procId: string }): Buffer {
  const header = `<${o.facility * 8 + syslogSeverity(r.level)}>1 ${new Date(r.time).toISOString()} ${o.host} ${o.appName} ${o.procId} ${r.type} - `;
  // MSG is UTF-8 marked by a BOM (RFC 5424 §6.4)
  const message = Buffer.concat([Buffer.from(header, 'ascii'), Buffer.from('\uFEFF' + r.json, 'utf8')]);
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}

/** RFC 5424 §6.2.4: printable US-ASCII, at most 255 characters, `-` when none. */
export const headerField = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '').slice(0, max) || '-';

// OpenTelemetry log data model severity numbers from pino levels.
const otlpSeverity = (level: number) => (level >= 60 ? 21 : level >= 50 ? 17 : level >= 40 ? 13 : level >= 30 ? 9 : level >= 20 ? 5 : 1);
const SEVERITY_TEXT: Record<number, string> = { 1: 'TRACE', 5: 'DEBUG', 9: 'INFO', 13: 'WARN', 17: 'ERROR', 21: 'FATAL' };
const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** The OTLP/HTTP JSON body (`ExportLogsServiceRequest`) of a batch. */
export function otlpLogsBody(batch: ForwardedRecord[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [attribute('service.name', 'sidep-gateway'), attribute('host.name', hostname())] },
        scopeLogs: [
          {
            scope: { name: 'sidep-gateway' },
            logRecords: batch.map((r) => ({
              timeUnixNano: `${BigInt(r.time) * 1_000_000n}`,
              severityNumber: otlpSeverity(r.level),
              severityText: SEVERITY_TEXT[otlpSeverity(r.level)],
              body: { stringValue: r.json },
              attributes: [attribute('log.type', r.type)],
            })),
          },
        ],
      },
    ],
  });
}
