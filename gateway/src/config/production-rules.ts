import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { parse as parseConnectionString } from 'pg-connection-string';
import { DEV_CA_NAME as DEV_CA_SUBJECT } from '../pki/index.js';
import { envName } from './load.js';
import type { Settings } from './schema.js';

const MIN_TOKEN_LENGTH = 32;

/**
 * What the production profile refuses, one line per problem, naming the setting.
 * The demo profile is built in code and never goes through here.
 */
export function productionProblems(s: Settings): string[] {
  const problems: string[] = [];
  const refuse = (path: string[], why: string) => problems.push(`${envName(path)}: ${why}`);

  if (s.keyManager.kind === 'local') refuse(['keyManager', 'kind'], 'the local keyring is for the demo only; use vault');
  const tlsFiles: [string[], string, 'cert' | 'key'][] = [
    [['intake', 'certFile'], s.intake.certFile, 'cert'],
    [['intake', 'keyFile'], s.intake.keyFile, 'key'],
    [['intake', 'clientCaFile'], s.intake.clientCaFile, 'cert'],
    [['sidep', 'caFile'], s.sidep.caFile, 'cert'],
    [['sidep', 'certFile'], s.sidep.certFile, 'cert'],
    [['sidep', 'keyFile'], s.sidep.keyFile, 'key'],
  ];
  for (const [path, file, kind] of tlsFiles) {
    const pem = readable(file);
    if (pem === undefined) refuse(path, 'file missing or unreadable');
    else if (kind === 'cert' && certificateNames(pem).some((n) => n.includes(DEV_CA_SUBJECT))) refuse(path, 'is or was issued by the demo CA');
  }
  if (s.relay.enabled && /127\.0\.0\.1|localhost/.test(new URL(s.sidep.url).hostname)) {
    refuse(['sidep', 'url'], 'points at this machine (the simulator belongs to the demo)');
  }
  const token = readable(s.metrics.tokenFile)?.trim();
  if (!token || token.length < MIN_TOKEN_LENGTH) refuse(['metrics', 'tokenFile'], `missing, or shorter than ${MIN_TOKEN_LENGTH} characters`);
  if (!postgresUsesTls(s.database.url, s.database.allowPlaintextSocket)) {
    refuse(['database', 'url'], 'must use sslmode=verify-full or require (or a Unix socket with allowPlaintextSocket)');
  }
  const password = parseConnectionString(s.database.url).password ?? '';
  if (['', 'postgres', 'password', 'changeme'].includes(password)) refuse(['database', 'url'], 'empty or default password');
  if (!s.sidep.url.startsWith('https://')) refuse(['sidep', 'url'], 'must be https');
  const loopback = s.metrics.host === '127.0.0.1' || s.metrics.host === '::1';
  if (!loopback && !(s.metrics.certFile && s.metrics.keyFile)) {
    // the bearer token must not cross a network in clear
    refuse(['metrics', 'certFile'], 'required when the metrics listener binds off loopback');
  }
  return problems;
}

function readable(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Subjects and issuers of every certificate in a PEM bundle. */
function certificateNames(pem: string): string[] {
  return pem.split('-----END CERTIFICATE-----').filter((b) => b.includes('BEGIN CERTIFICATE')).flatMap((b) => {
    try {
      const cert = new X509Certificate(`${b}-----END CERTIFICATE-----\n`);
      return [cert.subject, cert.issuer];
    } catch {
      return [];
    }
  });
}

function postgresUsesTls(url: string, allowSocket: boolean): boolean {
  const c = parseConnectionString(url);
  if (allowSocket && c.host?.startsWith('/')) return true;
  const sslmode = new URLSearchParams(url.split('?')[1] ?? '').get('sslmode') ?? '';
  return ['verify-full', 'require', 'verify-ca'].includes(sslmode);
}
