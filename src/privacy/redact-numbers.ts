/**
 * Numbers that identify a person, in free text already normalised (NFKC, so full-width digits
 * are ASCII digits here):
 *
 * - payment-card-like numbers: 13–19 digits in a row, or 4-4-4-4(-3) and 4-6-5 groups
 *   separated by spaces, dashes or dots → '[number]';
 * - US Social Security numbers, 123-45-6789, 123 45 6789, 123.45.6789 (or nine digits right
 *   after "SSN") → '[ssn]';
 * - phone numbers: North American ((317) 555-0142, 317-555-0142, 317.555.0142,
 *   +1 317 555 0142, 1-317-555-0142, 3175550142, 317/555-0142, 317 – 555 – 0142 with any
 *   dash or no-break space, with an extension 'x12' or ' ext. 12', and a local 555-0142) and
 *   international ones written with a leading '+' (+44 20 7946 0958) → '[phone]';
 * - any number written digit by digit to slip past filters, seven digits or more apart by
 *   spaces, underscores, dots or dashes (5_5_5 8_6_7 5_3_0_9, 5 5 5 8 6 7 5 3 0 9) → '[number]'.
 *
 * What it leaves: house numbers (1163), years (2024), ZIP codes (62563, 62563-1234), dates
 * (2024-03-15), times (10:30), case and permit numbers (SR-24-00012345, BLD2024-01234, 24-563),
 * amounts ($1,200) and decimals (41.8781). A digit run glued to letters or to a case-number
 * dash (SR-24-…) is part of an identifier, not a phone number.
 */

/** Not part of a longer identifier or number: no word character, dash, dot or '+' before… */
const START = String.raw`(?<![\w.+-])`;
/** …and no word character, or dash/dot/slash followed by a digit, after. */
const END = String.raw`(?!\w|[-./]\d)`;

const CARD = new RegExp(
  `${START}(?:\\d{13,19}|\\d{4}([ .-])\\d{4}\\1\\d{4}\\1\\d{4}(?:\\1\\d{3})?|\\d{4}([ .-])\\d{6}\\2\\d{5})${END}`,
  'g',
);

const SSN = new RegExp(`${START}\\d{3}([ .-])\\d{2}\\1\\d{4}${END}`, 'g');
const SSN_LABELLED = /\b(SSN|SS#|social security(?: number| no\.?| #)?)(\s*[:#]?\s*)\d{9}\b/gi;

/**
 * Between the parts of a phone number people write up to three of: spaces (also no-break),
 * dots, slashes and every kind of dash, hyphen or minus ('217 - 555 - 0181', '217–555–0179').
 */
const SEP = String.raw`[\s\u00a0\u2010-\u2015\u2212./-]{0,3}`;
const SEP1 = String.raw`[\s\u00a0\u2010-\u2015\u2212./-]{1,3}`;
/** An extension belongs to the number: 'x12', ' ext. 12', ' extension 12'. */
const EXTENSION = String.raw`(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?`;

/** NANP: optional +1 / 1, area code (in parentheses or not), exchange, line. */
const NANP = new RegExp(`${START}(?:(?:\\+1|1)${SEP})?(?:\\(\\d{3}\\)${SEP}|\\d{3}${SEP})\\d{3}${SEP}\\d{4}${EXTENSION}${END}`, 'gi');
/** A local seven-digit number with a separator: exchange 2–9XX. */
const LOCAL = new RegExp(`${START}[2-9]\\d{2}${SEP1}\\d{4}${EXTENSION}${END}`, 'gi');
/** International: '+', a country code, then two to six groups of digits (the area code possibly in parentheses). */
const INTERNATIONAL = new RegExp(`${START}\\+\\d{1,3}(?:[ .-]?\\(?\\d{1,5}\\)?){2,6}${EXTENSION}${END}`, 'gi');

/** Seven or more single digits, each apart from the next by one or two spaces, underscores, dots or dashes. */
const DIGIT_BY_DIGIT = /(?<![\w.,-])\d(?:[ _.-]{1,2}\d){6,}(?![\w])/g;

function digitCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

/** The shortest thing redacted here, a local 555-0142, has seven digits. */
const FEWEST_DIGITS = 7;

export function redactNumbers(text: string): string {
  // Most free text has too few digits for any of these: skip them all at once.
  if (digitCount(text) < FEWEST_DIGITS) return text;
  return text
    .replace(CARD, '[number]')
    .replace(SSN_LABELLED, (_match, label: string, separator: string) => `${label}${separator}[ssn]`)
    .replace(SSN, '[ssn]')
    .replace(INTERNATIONAL, (match) => (digitCount(match) >= 8 ? '[phone]' : match))
    .replace(NANP, '[phone]')
    .replace(LOCAL, '[phone]')
    .replace(DIGIT_BY_DIGIT, '[number]');
}
