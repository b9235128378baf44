import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { parse as parseConnectionString } from 'pg-connection-string';
import { caKindOf, DEV_CA_NAME as DEV_CA_SUBJECT, pemCertificates } from '../pki/index.js';
import { envName } from './load.js';
import type { Settings } from './schema.js';
import { namesMfaEvidence } from './web-schema.js';

const MIN_TOKEN_LENGTH = 32;

/**
 * Variables read behind the settings' back, one line per variable set, naming it and never its
 * value. node-vault 0.12 turns certificate checks off when VAULT_SKIP_VERIFY holds any value
 * ("false" included) and sends VAULT_TOKEN and VAULT_NAMESPACE with its requests; Node turns
 * them off for every TLS client with NODE_TLS_REJECT_UNAUTHORIZED=0. The Vault session ignores
 * all of them (vault/session.ts); `gateway serve` still refuses them, before reading any
 * setting, so that an operator who set one learns it has no effect instead of trusting it.
 * @example const problems = environmentProblems(process.env); // ['VAULT_TOKEN: …']
 */
export function environmentProblems(env: NodeJS.ProcessEnv): string[] {
  const refusals: [name: string, isSet: boolean, why: string][] = [
    ['VAULT_SKIP_VERIFY', env.VAULT_SKIP_VERIFY !== undefined, 'set: any value would turn off certificate checks; the Vault CA is pinned by GATEWAY_KEY_MANAGER_VAULT_CA_FILE'],
    ['VAULT_TOKEN', env.VAULT_TOKEN !== undefined, 'set: the gateway logs in with its AppRole files only; keep tokens out of its environment'],
    ['VAULT_NAMESPACE', env.VAULT_NAMESPACE !== undefined, 'set: the gateway works in the root namespace only'],
    ['NODE_TLS_REJECT_UNAUTHORIZED', env.NODE_TLS_REJECT_UNAUTHORIZED === '0', '0 turns off certificate checks for every TLS connection'],
  ];
  return refusals.filter(([, isSet]) => isSet).map(([name, , why]) => `${name}: ${why}; unset it`);
}

/**
 * What the production profile refuses, one line per problem, naming the setting.
 * The demo profile is built in code and never goes through here.
 */
export function productionProblems(s: Settings): string[] {
  const problems: string[] = [];
  const refuse = (path: string[], why: string) => problems.push(`${envName(path)}: ${why}`);

  if (s.keyManager.kind === 'local') refuse(['keyManager', 'kind'], 'the local keyring is for the demo only; use vault');
  const caKind = caKindOf(s.pki);
  // a CA key in a file on the gateway host is the demo's; production issues through Vault PKI or registers an external CA's certificates
  if (caKind === 'dev') refuse(['pki', 'caKind'], 'the dev CA (CA key in a file) is for the demo only; use vault-pki or external');
  if (caKind === 'vault-pki' && s.keyManager.kind !== 'vault') refuse(['pki', 'caKind'], 'vault-pki needs GATEWAY_KEY_MANAGER_KIND=vault');
  if (s.keyManager.kind === 'vault') {
    if (!s.keyManager.vaultAddress?.startsWith('https://')) refuse(['keyManager', 'vaultAddress'], 'missing, or not https');
    for (const setting of ['vaultCaFile', 'vaultRoleIdFile', 'vaultSecretIdFile', 'blindIndexKeyFile'] as const) {
      const file = s.keyManager[setting];
      if (file === undefined || readable(file) === undefined) refuse(['keyManager', setting], 'file missing or unreadable');
    }
  }
  const tlsFiles: [string[], string, 'cert' | 'key'][] = [
    [['intake', 'certFile'], s.intake.certFile, 'cert'],
    [['intake', 'keyFile'], s.intake.keyFile, 'key'],
    [['intake', 'clientCaFile'], s.intake.clientCaFile, 'cert'],
    [['sidep', 'caFile'], s.sidep.caFile, 'cert'],
    [['sidep', 'certFile'], s.sidep.certFile, 'cert'],
    [['sidep', 'keyFile'], s.sidep.keyFile, 'key'],
    ...(s.web.enabled
      ? ([
          [['web', 'certFile'], s.web.certFile ?? '', 'cert'],
          [['web', 'keyFile'], s.web.keyFile ?? '', 'key'],
        ] as [string[], string, 'cert' | 'key'][])
      : []),
  ];
  if (s.web.enabled) webProblems(s.web, refuse);
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
  if (!s.audit.sinkFile && !s.audit.sinkUrl) refuse(['audit', 'sinkFile'], 'missing (or GATEWAY_AUDIT_SINK_URL): audit checkpoints must be copied outside the database');
  if (s.audit.sinkUrl && !s.audit.sinkUrl.startsWith('https://')) refuse(['audit', 'sinkUrl'], 'not https');
  // forwarded logs name pharmacies, actors and results: they cross the network encrypted only
  if (s.logs.syslogAddress && !s.logs.syslogCaFile) refuse(['logs', 'syslogCaFile'], 'required with GATEWAY_LOGS_SYSLOG_ADDRESS (syslog over TLS)');
  if (s.logs.otlpUrl && !s.logs.otlpUrl.startsWith('https://')) refuse(['logs', 'otlpUrl'], 'not https');
  if (!postgresUsesTls(s.database.url, s.database.allowPlaintextSocket)) {
    refuse(['database', 'url'], 'must use sslmode=verify-full (or a Unix socket with allowPlaintextSocket)');
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

/** People sign in only at real providers that name their MFA evidence, over https, and reach the gateway over https. */
function webProblems(web: Settings['web'], refuse: (path: string[], why: string) => void): void {
  if (!web.publicOrigin?.startsWith('https://')) refuse(['web', 'publicOrigin'], 'must be https');
  for (const i of web.issuers) {
    if (i.development) refuse(['web', 'issuers'], `issuer ${i.id}: the development OIDC provider belongs to the demo`);
    const url = new URL(i.issuer);
    if (url.protocol !== 'https:') refuse(['web', 'issuers'], `issuer ${i.id}: must be https`);
    if (/^(localhost|127\.|\[::1\])/.test(url.hostname)) refuse(['web', 'issuers'], `issuer ${i.id}: points at this machine`);
    if (readable(i.clientSecretFile) === undefined) refuse(['web', 'issuers'], `issuer ${i.id}: client secret file missing or unreadable`);
    if (!namesMfaEvidence(i)) refuse(['web', 'issuers'], `issuer ${i.id}: names no multi-factor evidence, which every role needs; set mfaAcr or mfaAmr to what the provider sends after MFA`);
  }
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
  return pemCertificates(pem).flatMap((block) => {
    try {
      const cert = new X509Certificate(block);
      return [cert.subject, cert.issuer];
    } catch {
      return [];
    }
  });
}

function postgresUsesTls(url: string, allowSocket: boolean): boolean {
  const c = parseConnectionString(url);
  if (allowSocket && c.host?.startsWith('/')) return true;
  // require checks no certificate and verify-ca no host name: both let an impostor server in
  return new URLSearchParams(url.split('?')[1] ?? '').get('sslmode') === 'verify-full';
}
