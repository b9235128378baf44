import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One callback as the receiving software got it, and the status it answered. */
export interface ReceivedCallback {
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
  body: string;
  status: number;
}

/**
 * Pharmacy software receiving status callbacks: an HTTPS server on 127.0.0.1 with the given
 * certificate, recording every request. `answer` picks each response's status (default 204).
 */
export async function startWebhookReceiver(tls: { certPem: string; keyPem: string }, answer: (c: Omit<ReceivedCallback, 'status'>) => number = () => 204) {
  const received: ReceivedCallback[] = [];
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const callback: ReceivedCallback = {
        headers: {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        },
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      };
      // recorded before it is answered: `answer` sees it among `received`
      received.push(callback);
      callback.status = answer(callback);
      res.writeHead(callback.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    /** Callbacks received about this subject (result id), in order. */
    about: (resultId: string) => received.filter((c) => (JSON.parse(c.body) as { data: { resultId?: string } }).data.resultId === resultId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
