import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import type { Settings } from '../config/index.js';
import { anssiTlsOptions } from '../pki/index.js';
import { fail, ok, reason, skip, type CheckResult } from './report.js';

const TIMEOUT_MS = 5_000;

/**
 * SI-DEP as the relay reaches it: the name resolves, and an mTLS handshake with the gateway's
 * own client certificate completes against a server chain the SI-DEP CA verifies.
 */
export async function checkSidep(s: Readonly<Settings>): Promise<CheckResult[]> {
  const url = new URL(s.sidep.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const results: CheckResult[] = [];
  if (isIP(host)) {
    results.push(ok('sidep.dns', `${host} is an address`));
  } else {
    try {
      const a = await lookup(host, { all: true });
      results.push(ok('sidep.dns', `${host} resolves (${a.length} address(es))`));
    } catch (e) {
      return [fail('sidep.dns', `${host} does not resolve: ${reason(e)}`, 'check GATEWAY_SIDEP_URL and the host resolver (/etc/resolv.conf)'), skip('sidep.tls', 'name does not resolve')];
    }
  }
  try {
    const socket = await handshake(s, host, port);
    const peer = socket.getPeerCertificate();
    const protocol = socket.getProtocol();
    socket.destroy();
    results.push(ok('sidep.tls', `mTLS handshake to ${host}:${port} with ${protocol}; server certificate valid until ${new Date(peer.valid_to).toISOString().slice(0, 10)}`));
  } catch (e) {
    results.push(fail('sidep.tls', `mTLS handshake to ${host}:${port} failed: ${reason(e)}`, 'check the network route, GATEWAY_SIDEP_CA_FILE (server chain) and GATEWAY_SIDEP_CERT_FILE/KEY_FILE (our client certificate)'));
  }
  return results;
}

function handshake(s: Readonly<Settings>, host: string, port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      ...anssiTlsOptions(),
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      ca: readFileSync(s.sidep.caFile),
      cert: readFileSync(s.sidep.certFile),
      key: readFileSync(s.sidep.keyFile),
      timeout: TIMEOUT_MS,
    });
    // With TLS 1.3 the server judges our certificate after the client's handshake ends: only an
    // answer to a request proves it was accepted.
    socket.once('secureConnect', () => socket.write(`HEAD / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    socket.once('data', () => resolve(socket));
    socket.once('end', () => reject(new Error('the server closed the connection without answering')));
    socket.once('error', reject);
    socket.once('timeout', () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
  });
}
