import { finessIssue, rppsIssue } from '../results/index.js';

/** How one issuer's claims are read (settings `web.issuers[]`, with the Pro Santé Connect defaults applied). */
export interface ClaimMapping {
  kind: 'psc' | 'generic';
  /** Dot paths into the ID token and userinfo claims together; arrays are flattened at each step. */
  subject: string;
  rpps?: string;
  finess?: string;
  /** acr values that count as multi-factor evidence. */
  mfaAcr: readonly string[];
  /** amr values that alone count as multi-factor evidence (RFC 8176 `mfa`). */
  mfaAmr: readonly string[];
}

/** The claims of one sign-in: the ID token's (signed, bound to this authentication by its nonce) and userinfo's. */
export interface SignInClaims {
  idToken: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
}

/**
 * What the gateway keeps of a sign-in: identifiers and evidence, and the person's name and e-mail
 * for the admin pages (kept with their last sign-in, never in the audit log).
 */
export interface Identity {
  subject: string;
  /** `name`, else `given_name` + `family_name`, as the provider asserts it (one line, ≤ 200 characters), else null. */
  name: string | null;
  /** `email` as the provider asserts it (one address, ≤ 254 characters), else null. */
  email: string | null;
  /** The RPPS the provider asserts (11 digits, Luhn key checked), else null. */
  rpps: string | null;
  /**
   * Pharmacies (FINESS) the provider says this person works at, or null when the issuer does
   * not assert any (then claims do not narrow). For PSC: sites of a pharmacist exercice only.
   */
  finess: string[] | null;
  mfa: boolean;
  acr: string | null;
}

/** Pro Santé Connect's profession code for a pharmacist (DOMAIN.md §4). */
export const PSC_PHARMACIST = '21';
// RFC 8176 factor classes: two different classes in `amr` are multi-factor evidence
const KNOWLEDGE = new Set(['pwd', 'pin', 'kba']);
const POSSESSION = new Set(['otp', 'hwk', 'swk', 'sc', 'sms', 'tel', 'pop']);
const INHERENCE = new Set(['fpt', 'face', 'iris', 'retina', 'vbm']);

/** Values at a dot path, arrays flattened at every step; non-strings dropped. */
export function valuesAt(claims: unknown, path: string): string[] {
  let nodes: unknown[] = [claims];
  for (const key of path.split('.')) {
    nodes = nodes
      .flatMap((n) => (Array.isArray(n) ? n : [n]))
      .flatMap((n) => (n !== null && typeof n === 'object' && Object.hasOwn(n, key) ? [(n as Record<string, unknown>)[key]] : []));
  }
  return nodes.flatMap((n) => (Array.isArray(n) ? n : [n])).flatMap((n) => (typeof n === 'string' ? [n] : typeof n === 'number' ? [String(n)] : []));
}

/** PSC `SubjectNameID` is the idNatPs: `8` + RPPS for RPPS holders (sandbox `899700771191`). */
function rppsFromIdNatPs(v: string): string | null {
  const rpps = /^8\d{11}$/.test(v) ? v.slice(1) : v;
  return rppsIssue(rpps) === undefined ? rpps : null;
}

/** FINESS sites of the exercices whose profession is pharmacist. */
function pscPharmacistSites(claims: Record<string, unknown>): string[] {
  const exercices = claims.SubjectRefPro !== null && typeof claims.SubjectRefPro === 'object' ? valuesOf((claims.SubjectRefPro as Record<string, unknown>).exercices) : [];
  return exercices.filter((e) => valuesAt(e, 'codeProfession').includes(PSC_PHARMACIST)).flatMap((e) => valuesAt(e, 'activities.numeroFinessSite'));
}

function valuesOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** A provider's text as one displayable line: trimmed, spaces collapsed; null when empty, too long or with control characters. */
function oneLine(v: string | undefined, max: number): string | null {
  const line = v?.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  return line && line.length <= max && !/[\u0000-\u001f\u007f-\u009f]/.test(line) ? line : null;
}

/** The person's name from the standard claims: `name`, else the given and family names together. */
function nameOf(claims: Record<string, unknown>): string | null {
  const first = (key: string) => oneLine(valuesAt(claims, key)[0], NAME_MAX) ?? '';
  return oneLine(first('name') || `${first('given_name')} ${first('family_name')}`, NAME_MAX);
}

/** The `email` claim when it has the shape of one address. */
function emailOf(claims: Record<string, unknown>): string | null {
  const email = oneLine(valuesAt(claims, 'email')[0], EMAIL_MAX);
  return email !== null && /^[^@\s]+@[^@\s]+$/.test(email) ? email : null;
}

/** Bounds of migration 0026's columns. */
const NAME_MAX = 200;
const EMAIL_MAX = 254;

function hasMfa(m: ClaimMapping, acr: string | null, amr: string[]): boolean {
  if (acr !== null && m.mfaAcr.includes(acr)) return true;
  if (amr.some((a) => m.mfaAmr.includes(a))) return true;
  const classes = [KNOWLEDGE, POSSESSION, INHERENCE].filter((c) => amr.some((a) => c.has(a)));
  return classes.length >= 2;
}

/**
 * Reads an identity from a sign-in's claims. Identifiers, name and e-mail come from the ID token, else userinfo
 * (PSC sends its professional claims there; FINESS only ever narrows). MFA evidence (`acr`,
 * `amr`) comes from the ID token alone: userinfo describes the account, not this authentication,
 * so it cannot raise the level. Never throws on odd input: whatever is missing or malformed is
 * simply absent (and absent evidence narrows).
 * @example mapClaims(pscMapping, { idToken: { sub: 'f:1', acr: 'eidas1' }, userinfo: { SubjectNameID: '899700771191' } });
 */
export function mapClaims(m: ClaimMapping, { idToken, userinfo = {} }: SignInClaims): Identity | null {
  const claims = { ...userinfo, ...idToken };
  const subject = valuesAt(claims, m.subject)[0];
  if (!subject || subject.length > 255) return null;
  const acr = typeof idToken.acr === 'string' ? idToken.acr : null;
  const amr = valuesAt(idToken, 'amr');
  const rawRpps = m.rpps ? valuesAt(claims, m.rpps)[0] : undefined;
  const rpps = rawRpps === undefined ? null : m.kind === 'psc' ? rppsFromIdNatPs(rawRpps) : rppsIssue(rawRpps) === undefined ? rawRpps : null;
  const rawFiness = m.kind === 'psc' ? pscPharmacistSites(claims) : m.finess ? valuesAt(claims, m.finess) : null;
  const finess = rawFiness === null ? null : [...new Set(rawFiness.filter((f) => finessIssue(f) === undefined))];
  return { subject, name: nameOf(claims), email: emailOf(claims), rpps, finess, mfa: hasMfa(m, acr, amr), acr };
}
