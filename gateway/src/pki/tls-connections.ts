import type { Server, TLSSocket } from 'node:tls';

/**
 * Tracks a TLS server's open connections by the SHA-256 fingerprint of the client certificate,
 * so that revoking a certificate can also end its keep-alive connections, which would
 * otherwise outlive the revocation (a handshake is checked once).
 *
 * @example
 * const connections = trackClientConnections(intakeServer);
 * connections.close(fingerprint); // 1
 */
export function trackClientConnections(server: Server) {
  const byFingerprint = new Map<string, Set<TLSSocket>>();
  server.on('secureConnection', (socket: TLSSocket) => {
    const colons = socket.getPeerCertificate().fingerprint256;
    if (!colons) return; // no client certificate: the handshake policy refuses these anyway
    const fingerprint = colons.replaceAll(':', '').toLowerCase();
    let sockets = byFingerprint.get(fingerprint);
    if (!sockets) byFingerprint.set(fingerprint, (sockets = new Set()));
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && byFingerprint.get(fingerprint) === sockets) byFingerprint.delete(fingerprint);
    });
  });
  return {
    /** Destroys every open connection of this certificate; returns how many there were. */
    close(fingerprint: string): number {
      const sockets = byFingerprint.get(fingerprint);
      if (!sockets) return 0;
      for (const socket of sockets) socket.destroy();
      return sockets.size;
    },
  };
}

export type ClientConnections = ReturnType<typeof trackClientConnections>;
