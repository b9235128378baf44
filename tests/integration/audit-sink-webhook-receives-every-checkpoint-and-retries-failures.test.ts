import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCheckpointSinks, fileCheckpointSink, webhookCheckpointSink } from '../../gateway/src/audit/index.js';
import { startSealedLog, type SealedLog } from './audit-kit.js';
import { eventually } from '../support/gateway-harness.js';

let log: SealedLog;
let server: Server;
const received: string[] = [];
let failNext = 1;
beforeAll(async () => {
  log = await startSealedLog({ batchSize: 10 });
  await log.sealer.stop();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(503).end();
        return;
      }
      if (req.headers['content-type'] === 'application/x-ndjson') received.push(...body.split('\n').filter(Boolean));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await log.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('the webhook sink', () => {
  it('receives every checkpoint line the file gets, a refused copy being retried until it is taken', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`;
    log.startSealer({ sink: allCheckpointSinks([fileCheckpointSink(log.sinkFile), webhookCheckpointSink(url)]) });
    await log.append(35);
    await log.sealed();
    expect(failNext).toBe(0); // the first copy was refused (503), and retried
    const fileLines = (await readFile(log.sinkFile, 'utf8')).split('\n').filter(Boolean);
    await eventually(async () => (new Set(received).size === new Set(fileLines).size ? true : undefined));
    expect(new Set(received)).toEqual(new Set(fileLines));
    expect((await log.verify()).fault).toBeUndefined();
  });
});
