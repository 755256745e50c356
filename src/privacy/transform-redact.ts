/**
 * The `redact` rule: free text (a caller's description, a clerk's notes) with the personal
 * data people write into it replaced by placeholders. What it finds:
 *
 * - e-mail addresses, also spelled out ('jdoe at example dot com') → '[email]';
 * - payment-card-like numbers: 13–19 digits in a row, or 4-4-4-4(-3) and 4-6-5 groups
 *   separated by spaces or dashes → '[number]';
 * - US Social Security numbers, 123-45-6789 (or nine digits right after "SSN") → '[ssn]';
 * - phone numbers: North American ((317) 555-0142, 317-555-0142, 317.555.0142,
 *   +1 317 555 0142, 1-317-555-0142, 3175550142, 317/555-0142, 317 – 555 – 0142 with any
 *   dash or no-break space, with an extension 'x12', and a local 555-0142) and international
 *   ones written with a leading '+' (+44 20 7946 0958) → '[phone]'.
 *
 * What it leaves: house numbers (1163), years (2024), ZIP codes (62563, 62563-1234), dates
 * (2024-03-15), case and permit numbers (SR-24-00012345, BLD2024-01234, 24-563), amounts
 * ($1,200) and decimals (41.8781). A digit run glued to letters or to a case-number dash
 * (SR-24-…) is part of an identifier, not a phone number.
 *
 * It is a safety net for text a liaison chose to publish, not a guarantee: names and
 * addresses in prose are not recognised.
 */

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Spelled out to dodge filters: 'jdoe at example dot com', 'jdoe [at] example (dot) org'. */
const EMAIL_SPELLED = /[A-Za-z0-9._%+-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[A-Za-z0-9-]+(?:\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*[A-Za-z0-9-]+)*\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*(?:com|org|net|gov|edu|us|info|io|co|[a-z]{2})\b/gi;

/** Not part of a longer identifier or number: no word character, dash, dot or '+' before… */
const START = String.raw`(?<![\w.+-])`;
/** …and no word character, or dash/dot/slash followed by a digit, after. */
const END = String.raw`(?!\w|[-./]\d)`;

const CARD = new RegExp(
  `${START}(?:\\d{13,19}|\\d{4}([ -])\\d{4}\\1\\d{4}\\1\\d{4}(?:\\1\\d{3})?|\\d{4}([ -])\\d{6}\\2\\d{5})${END}`,
  'g',
);

const SSN = new RegExp(`${START}\\d{3}-\\d{2}-\\d{4}${END}`, 'g');
const SSN_LABELLED = /\b(SSN|SS#|social security(?: number| no\.?| #)?)(\s*[:#]?\s*)\d{9}\b/gi;

/**
 * Between the parts of a phone number people write up to three of: spaces (also no-break),
 * dots, slashes and every kind of dash or hyphen ('217 - 555 - 0181', '217–555–0179').
 */
const SEP = String.raw`[\s\u00a0\u2010-\u2015./-]{0,3}`;
const SEP1 = String.raw`[\s\u00a0\u2010-\u2015./-]{1,3}`;
/** An extension belongs to the number: 'x12', ' ext. 12', ' extension 12'. */
const EXTENSION = String.raw`(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?`;

/** NANP: optional +1 / 1, area code (in parentheses or not), exchange, line. */
const NANP = new RegExp(`${START}(?:(?:\\+1|1)${SEP})?(?:\\(\\d{3}\\)${SEP}|\\d{3}${SEP})\\d{3}${SEP}\\d{4}${EXTENSION}${END}`, 'gi');
/** A local seven-digit number with a separator: exchange 2–9XX. */
const LOCAL = new RegExp(`${START}[2-9]\\d{2}${SEP1}\\d{4}${EXTENSION}${END}`, 'gi');
/** International: '+', a country code, then two to six groups of digits (the area code possibly in parentheses). */
const INTERNATIONAL = new RegExp(`${START}\\+\\d{1,3}(?:[ .-]?\\(?\\d{1,5}\\)?){2,6}${END}`, 'g');

function digitCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

/** The shortest thing redacted by digits alone, a local 555-0142, has seven. */
const FEWEST_DIGITS = 7;

export function redactPersonalData(text: string): string {
  // Most free text has none of what is redacted: skip each pattern that cannot match, since
  // every row of a page is redacted on the way out.
  let result = text;
  if (result.includes('@')) result = result.replace(EMAIL, '[email]');
  if (/\sat\s|\(at\)|\[at\]/i.test(result)) result = result.replace(EMAIL_SPELLED, '[email]');
  if (digitCount(result) < FEWEST_DIGITS) return result;
  return result
    .replace(CARD, '[number]')
    .replace(SSN_LABELLED, (_match, label: string, separator: string) => `${label}${separator}[ssn]`)
    .replace(SSN, '[ssn]')
    .replace(INTERNATIONAL, (match) => (digitCount(match) >= 8 ? '[phone]' : match))
    .replace(NANP, '[phone]')
    .replace(LOCAL, '[phone]');
}
