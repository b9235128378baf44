/**
 * `externalRef` is the pharmacy software's own id for a result. It is sealed like personal
 * data but found by HMAC, so a value that is itself personal data would leak through that
 * index; DESIGN.md refuses values shaped like a NIR, an e-mail address or a phone number.
 */

// One optional separator between digit groups, as people write numbers: "06 12-34.56 78".
const SEP = '[\\s.\\-]?';
// A shape anywhere in the value, as long as it is not glued to other letters or digits
// ("ORD-0612345678" is refused, a UUID's hex groups are not).
const standalone = (shape: string): RegExp => new RegExp(`(?<![\\p{L}\\p{N}])(?:${shape})(?![\\p{L}\\p{N}])`, 'iu');

const NIR_SHAPED = standalone(
  // Every sex digit and month the extended NIR allows, key optional: a NIR with a wrong or
  // missing key is still someone's number.
  `[1-478]${SEP}\\d{2}${SEP}(?:0[1-9]|1[0-2]|20|3\\d|4[0-2]|[5-9]\\d)${SEP}(?:\\d{2}|2[AB])${SEP}\\d{3}${SEP}\\d{3}(?:${SEP}\\d{2})?`,
);
const PHONE_SHAPED = standalone(`0[1-9](?:${SEP}\\d{2}){4}|(?:\\+|00)[1-9](?:${SEP}\\d){7,14}`);
const EMAIL_SHAPED = /[^\s@]+@[^\s@]+\.[^\s@]+/u;

/**
 * Whether an external reference contains something shaped like a NIR, e-mail or phone.
 *
 * @example
 * looksLikePersonalData('LGO-2021-000042'); // false
 * looksLikePersonalData('06 39 98 12 34'); // true
 */
export function looksLikePersonalData(value: string): boolean {
  return NIR_SHAPED.test(value) || PHONE_SHAPED.test(value) || EMAIL_SHAPED.test(value);
}
