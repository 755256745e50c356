/**
 * The canonical spelling of a street address, so that '1163 West 24th Street' (work orders)
 * and '1163 W 24TH ST' (311) are one address. The rules are a fixed sequence of plain
 * text replacements, defined once here: sources compile them into their query (UPPER and
 * REPLACE exist in every SQL dialect) and the gateway applies them to values it is given,
 * so both sides always agree.
 */

/** Whole words → USPS abbreviations (Publication 28): directions and common street types. */
export const ADDRESS_WORDS: ReadonlyArray<readonly [word: string, abbreviation: string]> = [
  ['NORTH', 'N'],
  ['SOUTH', 'S'],
  ['EAST', 'E'],
  ['WEST', 'W'],
  ['NORTHEAST', 'NE'],
  ['NORTHWEST', 'NW'],
  ['SOUTHEAST', 'SE'],
  ['SOUTHWEST', 'SW'],
  ['STREET', 'ST'],
  ['AVENUE', 'AVE'],
  ['BOULEVARD', 'BLVD'],
  ['ROAD', 'RD'],
  ['DRIVE', 'DR'],
  ['PLACE', 'PL'],
  ['COURT', 'CT'],
  ['LANE', 'LN'],
  ['PARKWAY', 'PKWY'],
  ['TERRACE', 'TER'],
  ['HIGHWAY', 'HWY'],
  ['CIRCLE', 'CIR'],
];

/**
 * The steps, in order, each a replacement of plain text on the upper-cased value:
 * drop punctuation, fold double spaces, then abbreviate whole words (the value is padded
 * with a space at each end so that every word is delimited by spaces; each word is
 * replaced twice so that two adjacent ones are both caught).
 */
export const ADDRESS_STEPS: ReadonlyArray<readonly [from: string, to: string]> = [
  ['.', ''],
  [',', ' '],
  ['  ', ' '],
  ['  ', ' '],
  ...ADDRESS_WORDS.flatMap(([word, abbreviation]) => [
    [` ${word} `, ` ${abbreviation} `] as const,
    [` ${word} `, ` ${abbreviation} `] as const,
  ]),
];

/**
 * Text no step changes: capitals, digits and punctuation other than '.' and ',' (none of which
 * upper-casing changes), words parted by single spaces, none at either end, and no word in its
 * long form. Most stored addresses are already spelled so, and one test says it.
 */
const CANONICAL_WORDS = /^(?:[A-Z0-9#&'()/-]+(?: [A-Z0-9#&'()/-]+)*)?$/;
const LONG_FORM = new RegExp(`(?:^| )(?:${ADDRESS_WORDS.map(([word]) => word).join('|')})(?= |$)`);

/** The canonical spelling: UPPER(' ' || value || ' '), then the steps, then TRIM. */
export function normalizeAddress(value: string): string {
  if (CANONICAL_WORDS.test(value) && !LONG_FORM.test(value)) return value;
  let text = ` ${value.toUpperCase()} `;
  for (const [from, to] of ADDRESS_STEPS) text = text.split(from).join(to);
  // Spaces only, as SQL's TRIM does (JavaScript's trim() would also take tabs and newlines).
  return text.replace(/^ +| +$/g, '');
}

/**
 * The canonical spelling of part of an address, for `contains` and `startsWith`: a space
 * the caller put at either end marks a word boundary and is kept.
 */
export function normalizeAddressFragment(value: string): string {
  return `${/^\s/.test(value) ? ' ' : ''}${normalizeAddress(value)}${/\s$/.test(value) ? ' ' : ''}`;
}
