import type { TLSSocket } from 'node:tls';
import type { MiddlewareHandler } from 'hono';
import type { CertificateDirectory } from '../auth/client-certificates.js';
import type { AppEnv } from './env.js';
import type { RefusedTraffic } from './refused-traffic.js';

/**
 * Maps the verified client certificate to its pharmacy, before any body is read. The TLS layer
 * has already refused clients without a certificate or with one the CA did not sign; here a
 * CA-valid certificate that is unknown, revoked or of a deactivated pharmacy gets 401, limited
 * and audited per client address by `refused` (429 past the address's allowance).
 */
export const clientCertificate = (o: { certificates: CertificateDirectory; refused: RefusedTraffic }): MiddlewareHandler<AppEnv> =>
  async function clientCertificate(c, next) {
    const fingerprint = peerFingerprint(c.env.incoming.socket as TLSSocket);
    const principal = fingerprint ? await o.certificates.principalFor(fingerprint) : null;
    if (!principal) throw await o.refused.refuse(c, { actor: { type: 'anonymous', id: fingerprint?.slice(0, 16) }, reason: 'unauthenticated' });
    c.set('principal', principal);
    await next();
  };

/**
 * A keep-alive connection's certificate is read once: decoding it cost 2–4 % of intake. The
 * certificate is that of the handshake for the connection's life (the intake listener refuses
 * renegotiation; the revocation watch closes connections by it too); whether it still
 * authenticates is asked on every request.
 */
const fingerprints = new WeakMap<TLSSocket, string | undefined>();

function peerFingerprint(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  if (fingerprints.has(socket)) return fingerprints.get(socket);
  const fingerprint = socket.getPeerCertificate().fingerprint256?.replaceAll(':', '').toLowerCase();
  fingerprints.set(socket, fingerprint);
  return fingerprint;
}
