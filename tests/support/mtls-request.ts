import { Agent, get } from 'node:https';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';

/** A client certificate and key (PEM), and the CA that signed the server. */
export interface ClientCredentials {
  ca: string;
  cert?: string;
  key?: string;
}

/** What one request on a fresh TLS connection came to: an HTTP status, or the TLS error. */
export type Outcome = { status: number } | { error: string };

/**
 * One `GET` on a new connection (`Connection: close`), with `options` overriding the ANSSI
 * client policy (to offer TLS 1.1 or a weak suite). TLS 1.3 reports a refused client certificate
 * only after the client's handshake completes, so the error may arrive with the first read.
 */
export function requestOnce(port: number, credentials: ClientCredentials, options: ConnectionOptions = {}, path = '/api/v1/test-results'): Promise<Outcome> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect({ host: '127.0.0.1', servername: 'localhost', port, ...anssiTlsOptions(), ...credentials, ...options }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    let error: string | undefined;
    socket.on('error', (e) => (error = e.message));
    // on close, not end: an alert may follow the peer's end of stream
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve(status ? { status: Number(status[1]) } : { error: error ?? 'connection closed without an answer' });
    });
  });
}

/**
 * A keep-alive connection: `get` sends requests on the same socket; `closed` resolves when the
 * server ends it.
 */
export async function keepAliveConnection(port: number, credentials: Required<ClientCredentials>) {
  const agent = new Agent({ ...anssiTlsOptions(), ...credentials, keepAlive: true, maxSockets: 1 });
  let socket: TLSSocket | undefined;
  let closed: Promise<void> | undefined;
  const getOnce = () =>
    new Promise<number>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', servername: 'localhost', port, path: '/api/v1/test-results', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('socket', (s) => {
        if (socket) return;
        socket = s as TLSSocket;
        closed = new Promise((r) => s.once('close', () => r()));
      });
      req.on('error', reject);
    });
  const status = await getOnce();
  return {
    status,
    get: getOnce,
    /** Resolves when the first socket closes. */
    closed: () => closed as Promise<void>,
    destroy: () => agent.destroy(),
  };
}
