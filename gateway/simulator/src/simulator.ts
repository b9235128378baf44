import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { anssiTlsOptions } from '@sidep-gateway/gateway/pki/index.js';
import { createFaultPlan } from './faults.js';
import { loadR4Definitions } from './fhir-r4.js';
import { openJournal } from './journal.js';
import { createSimulatorRoutes, type SimulatorStats } from './routes.js';

/** What the simulator needs: its TLS identity, whom to trust, where to journal. */
export interface SimulatorOptions {
  /** PEM of the CA whose client certificates may connect; every other client is refused in the handshake. */
  clientCa: string | Buffer;
  /** PEM of the simulator's server certificate and key. */
  cert: string | Buffer;
  key: string | Buffer;
  /** JSON Lines file that keeps accepted messages across restarts (ids and status only). */
  journalFile?: string;
}

/** A running (or ready to run) SI-DEP simulator. */
export interface Simulator {
  readonly server: Server;
  /** Starts listening (port 0 picks a free one) and resolves to the origin, `https://host:port`. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, drops keep-alive connections, resolves once closed. */
  close(): Promise<void>;
}

/**
 * Builds the SI-DEP simulator: plain `node:https` (so the TLS policy and mTLS settings are in
 * plain sight, and an outage can reset the socket before any HTTP) around a Hono app from
 * `@hono/node-server`'s request listener. Every route, control API included, requires a
 * client certificate from `clientCa`. Never part of the production gateway.
 *
 * @example
 * const sim = await createSimulator({ clientCa: pki.ca.certPem, cert: pki.server.certPem, key: pki.server.keyPem });
 * const url = await sim.listen(0);
 */
export async function createSimulator(options: SimulatorOptions): Promise<Simulator> {
  // indexed before listening, so that the first message is not the one that waits for it
  loadR4Definitions();
  const faults = createFaultPlan();
  const stats: SimulatorStats = { requests: 0, accepted: 0, replayed: 0, rejected: 0, injectedFailures: 0, throttled: 0, resets: 0 };
  const journal = await openJournal(options.journalFile);
  const handle = getRequestListener(createSimulatorRoutes({ journal, faults, stats }).fetch);

  const server = createServer(
    {
      ...anssiTlsOptions(),
      ca: options.clientCa,
      cert: options.cert,
      key: options.key,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request, response) => {
      // Outage: messages meet a reset connection; the control API stays up to end it.
      if (request.url?.startsWith('/fhir') && faults.isOutage(Date.now())) {
        stats.requests += 1;
        stats.resets += 1;
        request.socket.destroy();
        return;
      }
      void handle(request, response);
    },
  );

  return {
    server,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const { port: bound } = server.address() as AddressInfo;
          resolve(`https://${host.includes(':') ? `[${host}]` : host}:${bound}`);
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
