import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { request } from 'undici';
import type { SignedCheckpoint } from './checkpoint.js';

/** A checkpoint as one line of the external sink. */
export interface SinkEntry extends SignedCheckpoint {
  number: number;
}

/** Where checkpoints are copied outside the database, so that a rewrite of it shows. */
export interface CheckpointSink {
  append(entries: readonly SinkEntry[]): Promise<void>;
}

/**
 * An append-only JSON Lines file: each write is O_APPEND and fsynced before the copy counts.
 * Point it at storage the database owner cannot rewrite (another host, WORM, a log shipper).
 * @example const sink = fileCheckpointSink('.data/audit-sink.jsonl');
 */
export function fileCheckpointSink(file: string): CheckpointSink {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const handle = await open(file, 'a', 0o600);
      try {
        await handle.writeFile(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * An HTTP webhook: each batch of lines is POSTed as `application/x-ndjson`; anything but a 2xx
 * fails the copy, which is retried on the next tick (the receiver must accept repeated lines).
 * @example const sink = webhookCheckpointSink('https://audit-store.example.org/checkpoints');
 */
export function webhookCheckpointSink(url: string, timeoutMs = 5_000): CheckpointSink {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: entries.map((e) => `${JSON.stringify(e)}\n`).join(''),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`audit sink webhook answered ${res.statusCode}`);
    },
  };
}

/** Copies to every sink in turn; the copy counts only when all of them took it. */
export function allCheckpointSinks(sinks: readonly CheckpointSink[]): CheckpointSink {
  return {
    async append(entries) {
      for (const sink of sinks) await sink.append(entries);
    },
  };
}

/**
 * Reads a sink file back: checkpoint number → entry. A repeated line (a copy retried after a
 * crash) is kept once; two different entries for one number keep the first and are reported.
 */
export async function readCheckpointSink(file: string): Promise<{ entries: Map<number, SinkEntry>; conflicts: number[] }> {
  const entries = new Map<number, SinkEntry>();
  const conflicts: number[] = [];
  const text = await readFile(file, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as SinkEntry;
    const seen = entries.get(e.number);
    if (!seen) entries.set(e.number, e);
    else if (seen.body !== e.body || seen.signature !== e.signature) conflicts.push(e.number);
  }
  return { entries, conflicts };
}

/**
 * The sinks the settings name (`audit.sinkFile` and/or `audit.sinkUrl`); undefined when none is.
 * @example const sink = configuredCheckpointSink(settings.audit) ?? refuseToStart();
 */
export function configuredCheckpointSink(o: { sinkFile?: string | undefined; sinkUrl?: string | undefined }): CheckpointSink | undefined {
  const sinks = [...(o.sinkFile ? [fileCheckpointSink(o.sinkFile)] : []), ...(o.sinkUrl ? [webhookCheckpointSink(o.sinkUrl)] : [])];
  return sinks.length === 0 ? undefined : allCheckpointSinks(sinks);
}
