import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { otlpLogsBody, syslogFrame, type ForwardedRecord } from '../../gateway/src/observability/log-forwarding-frames.js';

const record = fc.record<ForwardedRecord>({
  type: fc.constantFrom('log', 'audit'),
  time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  level: fc.constantFrom(10, 20, 30, 40, 50, 60),
  json: fc.string({ unit: 'grapheme', maxLength: 300 }).map((text) => JSON.stringify({ msg: text })),
});
const FRAME = { facility: 16, host: 'gw-1', appName: 'sidep-gateway', procId: '42' };

describe('a syslog frame', () => {
  it('counts its own octets and carries an RFC 5424 header and the JSON line intact', () => {
    fc.assert(
      fc.property(record, fc.integer({ min: 0, max: 23 }), (r, facility) => {
        const bytes = syslogFrame(r, { ...FRAME, facility });
        const space = bytes.indexOf(0x20);
        const message = bytes.subarray(space + 1);
        expect(Number(bytes.subarray(0, space).toString('ascii'))).toBe(message.length);
        const m = /^<(\d+)>1 (\S+) gw-1 sidep-gateway 42 (log|audit) - \uFEFF(.*)$/s.exec(message.toString('utf8'));
        expect(m).not.toBeNull();
        const [, pri, time, type, json] = m as RegExpExecArray;
        expect(Math.floor(Number(pri) / 8)).toBe(facility);
        expect(Number(pri) % 8).toBeLessThanOrEqual(7);
        expect(Date.parse(time as string)).toBe(r.time);
        expect(type).toBe(r.type);
        expect(json).toBe(r.json);
      }),
    );
  });
});

describe('an OTLP body', () => {
  it('holds each record, in order, as a log record with its time and type', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (batch) => {
        const body = JSON.parse(otlpLogsBody(batch)) as { resourceLogs: [{ scopeLogs: [{ logRecords: { timeUnixNano: string; body: { stringValue: string }; attributes: { key: string; value: { stringValue: string } }[] }[] }] }] };
        const records = body.resourceLogs[0].scopeLogs[0].logRecords;
        expect(records.map((l) => l.body.stringValue)).toEqual(batch.map((r) => r.json));
        expect(records.map((l) => BigInt(l.timeUnixNano) / 1_000_000n)).toEqual(batch.map((r) => BigInt(r.time)));
        expect(records.map((l) => l.attributes[0]?.value.stringValue)).toEqual(batch.map((r) => r.type));
      }),
    );
  });
});
