import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db/index.js';
import { ValidationFailed } from '../errors.js';
import { issueCertificate, listCertificates, publishCrl, registerCertificate, revokeCertificate, type RegisteredCertificate } from '../pharmacies/index.js';
import { exportPkcs12, parseFingerprint, REVOCATION_REASONS, type CertificateAuthority, type RevocationReasonName } from '../pki/index.js';
import { parseCommandLine, UsageError, type CliContext, type CliOperator, type Command } from './command.js';
import { reportingRefusals } from './pharmacy.js';
import { operatorCertificateAuthority } from './signing-ca.js';

const DAY_MS = 86_400_000;

interface CertDeps {
  db: Database;
  /** The configured CA (settings `pki`: Vault PKI, dev CA files, external; or the running demo's dev CA). */
  ca: CertificateAuthority;
}
type CertSubcommand = (d: CertDeps) => Promise<number>;
type Actor = CliOperator['actor'];

/**
 * `gateway cert issue|list|revoke|register|crl`. Exit codes: 0 ok, 1 refused, 2 usage error.
 * Private keys are written 0600 and never stored by the gateway; the PKCS#12 password is printed once.
 */
export const cert: Command = {
  help: `  cert issue <pharmacy>             Issue a client certificate (PEM + PKCS#12, one-time password printed once)  [--out DIR]
  cert list                         Certificates with expiry and status  [--pharmacy FINESS]
  cert revoke <fingerprint>         Revoke now: refused on the next handshake, open connections closed  [--reason R]
  cert register <pem-file>          Register a certificate of an external CA by fingerprint  --pharmacy FINESS
  cert crl                          Store the CA's current CRL (dev CA: re-sign it before its nextUpdate)
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, { out: { type: 'string' }, reason: { type: 'string' }, pharmacy: { type: 'string' } });
    const run = certSubcommand(positionals[0], positionals[1], values, ctx);
    const ca = await operatorCertificateAuthority(ctx.settings());
    return ctx.withDatabase(values['database-url'], (db) => reportingRefusals(ctx, () => run({ db, ca })));
  },
};

function certSubcommand(sub: string | undefined, argument: string | undefined, options: { out?: string; reason?: string; pharmacy?: string; operator?: string }, ctx: CliContext): CertSubcommand {
  // who changes anything, resolved before the CA and the database are opened
  const actor = () => ctx.operator(options.operator).actor;
  switch (sub) {
    case 'issue': {
      if (!argument) break;
      const by = actor();
      return (d) => issue(argument, options.out ?? '.', by, d, ctx);
    }
    case 'list':
      return async ({ db }) => {
        const rows = await listCertificates(db, options.pharmacy === undefined ? {} : { pharmacy: options.pharmacy });
        for (const c of rows) ctx.out(describe(c));
        ctx.out(`${rows.length} certificate(s)`);
        return 0;
      };
    case 'revoke': {
      const by = actor();
      return async ({ db, ca }) => {
        const fingerprint = argument && parseFingerprint(argument);
        if (!fingerprint) throw new ValidationFailed([{ pointer: '/fingerprint', code: 'fingerprint-format' }]);
        const reason = (options.reason ?? 'unspecified') as RevocationReasonName;
        if (!REVOCATION_REASONS.includes(reason)) throw new ValidationFailed([{ pointer: '/reason', code: 'reason-unknown' }]);
        const { revoked, crlPublished } = await revokeCertificate(db, ca, { fingerprint, reason, actor: by });
        ctx.out(`Revoked ${revoked.fingerprint} of pharmacy ${revoked.finess} (${reason}).`);
        ctx.out(crlPublished ? 'Revoked at the CA and its new CRL stored: the intake listener refuses it at the next handshake.' : 'Refused by fingerprint (401); it was not issued by the configured CA, whose CRL is unchanged.');
        return 0;
      };
    }
    case 'register': {
      const { pharmacy } = options;
      if (!argument || !pharmacy) break;
      const by = actor();
      return async ({ db }) => {
        const c = await registerCertificate(db, { pharmacy, certPem: await readFile(argument, 'utf8'), actor: by });
        ctx.out(`Registered ${c.fingerprint} for pharmacy ${c.finess}, valid until ${c.notAfter.toISOString()}.`);
        return 0;
      };
    }
    case 'crl': {
      const by = actor();
      return async ({ db, ca }) => {
        const { entries, nextUpdate, stored } = await publishCrl(db, ca, by);
        ctx.out(`${stored ? 'CRL stored' : 'CRL unchanged'}: ${entries} revoked certificate(s), next update by ${nextUpdate.toISOString()}.`);
        return 0;
      };
    }
  }
  throw new UsageError();
}

async function issue(pharmacy: string, outDir: string, actor: Actor, { db, ca }: CertDeps, ctx: CliContext): Promise<number> {
  const { certificate, registered } = await issueCertificate(db, ca, { pharmacy, actor });
  const bundle = await exportPkcs12({ ...certificate, friendlyName: registered.finess });
  const stem = path.join(outDir, `${registered.finess}-${registered.fingerprint.slice(0, 12)}`);
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  await writePrivate(`${stem}-key.pem`, certificate.keyPem);
  await writePrivate(`${stem}.p12`, bundle.der);
  await writeFile(`${stem}.pem`, `${certificate.certPem.trim()}\n${certificate.chainPem.trim()}\n`, { mode: 0o644 });
  ctx.out(`Issued ${registered.fingerprint} for pharmacy ${registered.finess}, valid until ${registered.notAfter.toISOString()}.`);
  ctx.out(`  ${stem}.pem (certificate and CA chain), ${stem}-key.pem (private key), ${stem}.p12`);
  ctx.out(`  PKCS#12 password (shown once, give it through another channel): ${bundle.password}`);
  return 0;
}

async function writePrivate(file: string, content: string | Buffer): Promise<void> {
  await writeFile(file, content, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600); // the umask trims a new file's mode, never widens it; this pins it
}

function describe(c: RegisteredCertificate): string {
  const days = Math.floor((c.notAfter.getTime() - Date.now()) / DAY_MS);
  const status = c.revokedAt ? `revoked (${c.revocationReason})` : days < 0 ? 'expired' : `valid, ${days} day(s) left`;
  return `${c.fingerprint}  ${c.finess}  ${c.origin.padEnd(10)}  until ${c.notAfter.toISOString()}  ${status}`;
}
