import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anssiTlsOptions, createDevCa, issueServerCertificate, type CertificateAndKey } from '../../gateway/src/pki/index.js';
import { checkTarget, createOutboundClient, type Resolver } from '../../gateway/src/webhooks/outbound.js';

// The callback client against real HTTPS endpoints on loopback, allow-listed as a chain admin
// would for an endpoint on the gateway's own network. Names resolve through an injected
// resolver, so `localhost` (the name on the test certificate) can be pointed at any loopback
// address.

interface Seen {
  path: string;
  body: string;
  signature: string | undefined;
}

/** An HTTPS endpoint whose paths answer as the cases below need; it records what it received. */
async function endpoint(cert: CertificateAndKey, host: string, port = 0): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer({ ...anssiTlsOptions(), key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString(), signature: req.headers['webhook-signature'] as string | undefined });
      const status = Number(/^\/status\/(\d{3})/.exec(req.url ?? '')?.[1]);
      if (status === 429) res.writeHead(429, { 'retry-after': '120' }).end();
      else if (status === 302) res.writeHead(302, { location: '/status/204?followed' }).end();
      else if (status) res.writeHead(status).end();
      else if (req.url === '/endless') {
        res.writeHead(200);
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const pour = (): void => {
          while (!res.destroyed && res.write(chunk));
        };
        res.on('drain', pour);
        pour();
      }
      // '/silent' never answers.
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const resolvingTo =
  (...answers: string[]): Resolver =>
  () =>
    Promise.resolve([{ address: answers.shift() ?? '192.0.2.1', family: 4 }]);

const request = { headers: { 'content-type': 'application/json', 'webhook-signature': 'v1,c2lnbmF0dXJl' }, body: '{"type":"result.delivered"}' };
const LOOPBACK = ['127.0.0.0/8'];

describe('the outbound callback client against HTTPS endpoints', () => {
  let ca: CertificateAndKey;
  let main: Awaited<ReturnType<typeof endpoint>>;
  let twin: Awaited<ReturnType<typeof endpoint>>;
  const client = createOutboundClient({ lookup: resolvingTo('127.0.0.1'), responseTimeoutMs: 1_000 });
  /** `caPem: null`: the system CAs only. */
  const target = (path: string, caPem: string | null = ca.certPem) => ({ url: `https://localhost:${main.port}${path}`, ...(caPem ? { caPem } : {}), allowNetworks: LOOPBACK });
  const fresh = (lookup: Resolver, o = {}) => createOutboundClient({ lookup, responseTimeoutMs: 1_000, ...o });

  beforeAll(async () => {
    ca = await createDevCa();
    const cert = await issueServerCertificate(ca);
    main = await endpoint(cert, '127.0.0.1');
    twin = await endpoint(cert, '127.0.0.2', main.port);
  });
  afterAll(() => {
    for (const { server } of [main, twin]) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('posts the body and headers once and answers delivered on 2xx', async () => {
    expect(await fresh(resolvingTo('127.0.0.1')).send(target('/status/204?n=1'), request)).toEqual({ kind: 'delivered', status: 204 });
    expect(main.seen.filter((s) => s.path === '/status/204?n=1')).toEqual([{ path: '/status/204?n=1', body: request.body, signature: 'v1,c2lnbmF0dXJl' }]);
  });

  it('connects to the address it checked even when the name resolves elsewhere afterwards', async () => {
    // The first answer is checked and pinned; a rebinding resolver answers 127.0.0.1 next.
    expect(await fresh(resolvingTo('127.0.0.2', '127.0.0.1')).send(target('/status/200?pinned'), request)).toEqual({ kind: 'delivered', status: 200 });
    expect(twin.seen.map((s) => s.path)).toContain('/status/200?pinned');
    expect(main.seen.map((s) => s.path)).not.toContain('/status/200?pinned');
  });

  it('answers retryable on 5xx, and on 429 with the endpoint’s Retry-After', async () => {
    expect(await fresh(resolvingTo('127.0.0.1')).send(target('/status/503'), request)).toEqual({ kind: 'retryable', code: 'http-503' });
    expect(await fresh(resolvingTo('127.0.0.1')).send(target('/status/429'), request)).toEqual({ kind: 'retryable', code: 'http-429', retryAfterMs: 120_000 });
  });

  it('does not follow a redirect and refuses it, like other 4xx answers', async () => {
    expect(await fresh(resolvingTo('127.0.0.1')).send(target('/status/302'), request)).toEqual({ kind: 'refused', code: 'http-3xx' });
    expect(main.seen.map((s) => s.path)).not.toContain('/status/204?followed');
    expect(await fresh(resolvingTo('127.0.0.1')).send(target('/status/410'), request)).toEqual({ kind: 'refused', code: 'http-4xx' });
  });

  it('gives up on an endpoint that never answers, as retryable', async () => {
    expect(await fresh(resolvingTo('127.0.0.1')).send(target('/silent'), request)).toEqual({ kind: 'retryable', code: 'timeout' });
  });

  it('gives up on a name that does not resolve in time, as retryable', async () => {
    const stuck: Resolver = () => new Promise(() => undefined);
    expect(await fresh(stuck, { connectTimeoutMs: 200 }).send(target('/status/204?stuck'), request)).toEqual({ kind: 'retryable', code: 'dns-failed' });
  });

  it('stops reading an endless answer at the size limit and keeps its status', async () => {
    const result = await fresh(resolvingTo('127.0.0.1'), { maxResponseBytes: 64 * 1024, responseTimeoutMs: 3_000 }).send(target('/endless'), request);
    expect(result).toEqual({ kind: 'delivered', status: 200 });
  });

  it('trusts only the endpoint’s CA, or the system CAs, and checks the certificate against the name', async () => {
    const otherCa = await createDevCa({ name: 'Another CA' });
    expect(await fresh(resolvingTo('127.0.0.1')).send(target('/status/204?system', null), request)).toEqual({ kind: 'retryable', code: 'tls' });
    expect(await fresh(resolvingTo('127.0.0.1')).send(target('/status/204?other', otherCa.certPem), request)).toEqual({ kind: 'retryable', code: 'tls' });
    const wrongName = { url: `https://callbacks.pharmacy.example:${main.port}/status/204?name`, caPem: ca.certPem, allowNetworks: LOOPBACK };
    expect(await fresh(resolvingTo('127.0.0.1')).send(wrongName, request)).toEqual({ kind: 'retryable', code: 'tls' });
    expect(main.seen.map((s) => s.path).filter((p) => /system|other|name/.test(p))).toEqual([]);
  });

  it('refuses plain HTTP, credentials in the URL and loopback without an allow-list, before connecting', async () => {
    const port = main.port;
    expect(await client.send({ url: `http://localhost:${port}/status/204`, allowNetworks: LOOPBACK }, request)).toEqual({ kind: 'refused', code: 'url-not-https' });
    expect(await client.send({ url: `https://user:pw@localhost:${port}/status/204`, caPem: ca.certPem, allowNetworks: LOOPBACK }, request)).toEqual({ kind: 'refused', code: 'url-credentials' });
    expect(await fresh(resolvingTo('127.0.0.1')).send({ ...target('/status/204?unlisted'), allowNetworks: [] }, request)).toEqual({ kind: 'refused', code: 'address-loopback' });
    expect(await client.send({ ...target('/status/204'), allowNetworks: ['127.0.0.0/33'] }, request)).toEqual({ kind: 'refused', code: 'allow-network-invalid' });
    expect(main.seen.map((s) => s.path)).not.toContain('/status/204?unlisted');
  });

  it('names the class of a refused address for the operator', async () => {
    const classOf = (host: string) => checkTarget(`https://${host}/hooks`, []);
    expect(await classOf('[::1]')).toEqual({ ok: false, code: 'address-loopback' });
    expect(await classOf('169.254.169.254')).toEqual({ ok: false, code: 'address-cloud-metadata' });
    expect(await classOf('[::ffff:a9fe:a9fe]')).toEqual({ ok: false, code: 'address-cloud-metadata' });
    expect(await classOf('0x0a.1')).toEqual({ ok: false, code: 'address-private' });
    expect(await classOf('[fe80::1]')).toEqual({ ok: false, code: 'address-link-local' });
    expect(await classOf('100.64.0.1')).toEqual({ ok: false, code: 'address-shared' });
  });
});
