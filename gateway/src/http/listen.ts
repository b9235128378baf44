import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { PortInUse } from './port-in-use.js';
import { anssiTlsOptions } from '../pki/index.js';
import type { TlsMaterial } from './tls-files.js';

export type AnyServer = HttpServer | HttpsServer;

/** Listens, turning EADDRINUSE into a message that names the port and the listener. */
export function listen(server: AnyServer, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUse(port, what) : e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting and closes idle and active keep-alive connections. */
export function close(server: AnyServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The secure context of a listener, for `createServer` and for every `setSecureContext` after it
 * (new files, new CRLs): the ANSSI policy, the listener's certificate and key and, on intake,
 * the client CAs and their CRLs.
 */
export function serverTlsOptions(m: TlsMaterial, crls: readonly string[] = []): SecureContextOptions {
  return { ...anssiTlsOptions(), cert: m.cert, key: m.key, ...(m.ca ? { ca: m.ca } : {}), ...(crls.length ? { crl: [...crls] } : {}) };
}
