/** Patient contact points: a phone number in E.164 form, an e-mail address. */

// Separators people type between digit groups; "(0)" is the trunk prefix written after a
// country code ("+33 (0)6 …") and must go before the digits are counted.
const PHONE_SEPARATORS = /[\s.\-()]/g;
const FRENCH_NATIONAL = /^0[1-9]\d{8}$/;
const E164 = /^\+[1-9]\d{7,14}$/;
const FRENCH_E164 = /^\+33[1-9]\d{8}$/;

/**
 * Normalises a phone number to E.164, or `undefined` when it is not one. A French national
 * number `0X XX XX XX XX` becomes `+33X…`; `00` becomes `+`.
 *
 * @example
 * toE164('06 39 98 12 34'); // '+33639981234'
 * toE164('0044 20 7946 0000'); // '+442079460000'
 */
export function toE164(raw: string): string | undefined {
  const compact = raw.replace(/\(0\)/g, '').replace(PHONE_SEPARATORS, '');
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  const e164 = FRENCH_NATIONAL.test(international) ? `+33${international.slice(1)}` : international;
  if (!E164.test(e164)) return undefined;
  return !e164.startsWith('+33') || FRENCH_E164.test(e164) ? e164 : undefined;
}

// RFC 5322 addr-spec restricted to its dot-atom form (no quoted local parts, no address
// literals), with RFC 1035 host labels: what mail software actually delivers to.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const ADDR_SPEC = new RegExp(`^(?=[^@]{1,64}@)${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`);

/**
 * Whether a value is an e-mail address (dot-atom addr-spec, local part ≤ 64). The overall
 * 254-character limit is the schema's (`too-long`).
 *
 * @example
 * isEmailAddress('jean.testeur@example.org'); // true
 */
export function isEmailAddress(value: string): boolean {
  return ADDR_SPEC.test(value);
}
