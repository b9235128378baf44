/**
 * Baseline B: a bare Hono POST echo on the intake listener's setup (HTTPS, ANSSI policy,
 * client certificate required), in its own process like the gateway. Argument: JSON
 * `{ certFile, keyFile, caFile }`. Prints `ready <port>`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { listen } from '../../gateway/src/http/index.js';

const files = JSON.parse(process.argv[2] as string) as { certFile: string; keyFile: string; caFile: string };
const app = new Hono();
app.post('/echo', async (c) => c.json(await c.req.json(), 200));
const server = createServer(
  { ...anssiTlsOptions(), cert: readFileSync(files.certFile), key: readFileSync(files.keyFile), ca: readFileSync(files.caFile), requestCert: true, rejectUnauthorized: true },
  getRequestListener(app.fetch),
);
process.stdout.write(`ready ${await listen(server, 0, '127.0.0.1', 'echo')}\n`);
process.stdin.resume().once('end', () => process.exit(0));
