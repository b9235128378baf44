import { randomUUID } from 'node:crypto';
import { connect } from 'node:tls';
import { Agent, request } from 'undici';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { requestOnce, type Outcome } from '../support/mtls-request.js';
import { syntheticResult } from '../support/synthetic-result.js';

/** A pharmacy's software: its client certificate, the intake's CA and name, synthetic results only. */
export interface PharmacyClient {
  /** Submits a new synthetic result; the answer's status and problem code or result id (never the body sent). */
  submit(): Promise<{ status: number; id?: string; code?: string; retryAfter?: string }>;
  /** The delivery status of a result (`received`, `retrying`, `delivered`, …). */
  status(id: string): Promise<string>;
  /** One request on a new TLS connection: an HTTP status, or the TLS error when refused. */
  handshake(): Promise<Outcome>;
  /**
   * A TLS 1.2 handshake alone: there the server judges the client certificate inside the
   * handshake, so it either completes or fails with the server's alert (TLS 1.3 judges it after).
   */
  handshakeTls12(): Promise<{ completed: true } | { refused: string }>;
  close(): Promise<void>;
}

/**
 * @example
 * const pharmacy = pharmacyClient({ port, servername: 'gateway', ca, cert, key, finess });
 * const { status, id } = await pharmacy.submit();
 */
export function pharmacyClient(o: { port: number; servername: string; ca: string; cert: string; key: string; finess: string }): PharmacyClient {
  const tls = { ...anssiTlsOptions(), ca: o.ca, cert: o.cert, key: o.key, servername: o.servername };
  const agent = new Agent({ connect: tls });
  const origin = `https://127.0.0.1:${o.port}`;
  return {
    async submit() {
      const res = await request(`${origin}/api/v1/test-results`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(syntheticResult({ pharmacyFiness: o.finess })),
      });
      const body = (await res.body.json().catch(() => ({}))) as { id?: string; code?: string };
      const retryAfter = res.headers['retry-after'];
      return { status: res.statusCode, id: body.id, code: body.code, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) };
    },
    async status(id) {
      const res = await request(`${origin}/api/v1/test-results/${id}`, { dispatcher: agent });
      const body = (await res.body.json()) as { status?: string };
      return body.status ?? `http-${res.statusCode}`;
    },
    handshake: () => requestOnce(o.port, { ca: o.ca, cert: o.cert, key: o.key }, { servername: o.servername }),
    handshakeTls12: () =>
      new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: o.port, ...tls, maxVersion: 'TLSv1.2' }, () => {
          socket.destroy();
          resolve({ completed: true });
        });
        socket.once('error', (e) => resolve({ refused: e.message }));
        socket.once('close', () => resolve({ refused: 'closed during the handshake' }));
      }),
    close: () => agent.close(),
  };
}
