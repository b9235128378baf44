import { z } from 'zod';
import { positiveInt } from './fields.js';

const vaultPathSegment = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);

/** Client certificates: the CA that issues them (gateway and `gateway cert`), and revocation polling. */
export const pkiSchema = z
  .object({
    /**
     * `vault-pki` (production: Vault signs CSRs, keeps the CRL), `external` (certificates of another
     * CA are registered by fingerprint) or `dev` (local CA files; the production profile refuses it).
     * Unset: `dev` when both CA files are named, else `external`.
     */
    caKind: z.enum(['dev', 'vault-pki', 'external']).optional(),
    /** The dev CA's files. */
    caCertFile: z.string().min(1).optional(),
    caKeyFile: z.string().min(1).optional(),
    /** Vault PKI mount and role (deploy/vault/init.sh), reached with the key manager's AppRole. */
    vaultMount: vaultPathSegment.default('pki-pharmacies'),
    vaultRole: vaultPathSegment.default('pharmacy-client'),
    /** Short-lived client certificates limit what a stolen key is worth; pharmacies rotate with two valid at once. */
    clientValidityDays: positiveInt.max(397).default(90),
    /** A CRL past its nextUpdate is not loaded: `gateway cert crl` re-signs it before then. */
    crlValidityDays: positiveInt.max(90).default(30),
    /** How often the intake listener looks for new CRLs and revocations: 1 s keeps a revoked certificate's next handshake refused within 2 s (poll, then reload). */
    revocationPollMs: positiveInt.min(200).max(10_000).default(1_000),
    /** How often the gateway's own certificate, key and CA files are re-read (besides file-change events). */
    fileCheckMs: positiveInt.min(100).max(300_000).default(10_000),
  })
  .strict()
  .prefault({});
