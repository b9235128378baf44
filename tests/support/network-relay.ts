import { connect, createServer, type Socket } from 'node:net';

/** The network path to a server, which a test cuts or slows down. */
export interface NetworkRelay {
  /** `https://127.0.0.1:<relay port>` */
  address: string;
  /** Stops accepting and drops every open connection: the server is unreachable. */
  cut(): Promise<void>;
  /** Accepts again on the same port. */
  restore(): Promise<void>;
  /** Holds each chunk of the server's answers this long (0: none). */
  delay(ms: number): void;
  close(): Promise<void>;
}

/**
 * The network between a client and a real server, as a TCP relay on a loopback port that a test
 * can cut (the server unreachable: connections refused, open ones dropped) or slow down (each
 * answer held back): faults of the path, while every byte that passes is the real server's, so
 * no test double of its API is needed for them. TLS goes through untouched (an OpenBao dev
 * server's certificate names 127.0.0.1, whatever the port).
 *
 * @example
 * const network = await startNetworkRelay(bao.server.address);
 * const session = createVaultSession({ ...bao.connection('gateway'), address: network.address });
 * await network.cut(); … await network.restore();
 */
export async function startNetworkRelay(target: string): Promise<NetworkRelay> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let delayMs = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // a reset on one side ends the other: nothing is left half-open
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (delayMs === 0) client.write(chunk);
      // the same delay for every chunk keeps them in order (timers of equal delay fire in order)
      else setTimeout(() => client.writable && client.write(chunk), delayMs);
    });
  });
  const listen = (at: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const relayPort = await listen(0);
  const cut = async () => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    address: `https://127.0.0.1:${relayPort}`,
    cut,
    restore: async () => void (await listen(relayPort)),
    delay: (ms) => void (delayMs = ms),
    close: cut,
  };
}
