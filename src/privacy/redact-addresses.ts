/**
 * Street addresses written into prose: the house number is cut to its hundred block, as the
 * `hundredBlock` rule cuts an address field ('lives at 1163 W 24th St' → 'lives at 11XX W 24th
 * St', 'in front of 4410 North Kedzie Avenue' → 'in front of 44XX North Kedzie Avenue'), and
 * a unit number is replaced ('apt 3B' → 'apt [unit]', '… St #2' → '… St #[unit]').
 *
 * The block, not a placeholder: it is what the public already reads in the request's address,
 * and it keeps the street, which is what a reader of a pothole report needs.
 *
 * An address is a house number, an optional direction, one to four street-name words
 * (Capitalised, UPPER CASE or an ordinal: 24th, 24TH) and a street type (St, Avenue, DR, …).
 * Lower-case street names ('1163 w 24th st') are not recognised: '2 bags by the alley' and
 * '3 cars in the way' read just like them. An address already cut to its block (11XX W 24TH ST)
 * has no house number left and stays as it is.
 */
import { DIRECTIONS, hundredBlockNumber, ROUTE_WORDS, STREET_TYPES } from './street-words.js';
import { anyCase } from './word-pattern.js';

const DIRECTION = `${anyCase(DIRECTIONS)}\\.?`;
const STREET_TYPE = `${anyCase(STREET_TYPES)}\\.?`;
const NAME_WORD = String.raw`(?:\p{Lu}[\p{L}'’-]*|\d{1,3}(?:st|nd|rd|th|ST|ND|RD|TH))`;
/**
 * A house number not inside another number or identifier (SR-24-…, $1,200, 10:30, #4521) nor a
 * route's (Route 66), with what would locate the door more precisely than the block: a letter
 * (1163A), a range (1163-1167), a half (1163 1/2).
 */
const HOUSE_NUMBER = String.raw`(?<![\p{L}\d.,:$#/-])(?<!\b${anyCase(ROUTE_WORDS)}[\s-]+)(\d{1,6})(?:-\d{1,6}|[A-Z](?=\s)|\s+1/2)?`;
const ADDRESS = new RegExp(
  `${HOUSE_NUMBER}\\s+((?:${DIRECTION}\\s+)?(?:${NAME_WORD}\\s+){1,4}?${STREET_TYPE}(?:\\s+${DIRECTION})?)(?![\\p{L}\\d])`,
  'gu',
);

const UNIT_WORD = anyCase(['apt', 'apartment', 'unit', 'suite', 'ste']);
const UNIT_ID = String.raw`(?:[A-Z]?\d{1,5}[A-Za-z]?|[A-Z])(?![\p{L}\d-])`;
/** 'apt 3B', 'Apt. #12', 'Unit B'; a bare '#3B' only right after a street type ('#4521' alone is a ticket). */
const UNIT = new RegExp(`(\\b${UNIT_WORD}\\.?\\s*#?\\s*|(?<=\\b${STREET_TYPE},?\\s*)#\\s*)${UNIT_ID}`, 'gu');

/** Cheap tests of whether the patterns can match at all: most free text has no address. */
const MAY_HAVE_ADDRESS = /\d[A-Z]?\s+[\p{Lu}\d]/u;
const MAY_HAVE_UNIT = /\b(?:apt|apartment|unit|suite|ste)\b|#/i;

export function redactAddresses(text: string): string {
  let result = text;
  if (MAY_HAVE_ADDRESS.test(result)) {
    result = result.replace(ADDRESS, (_match, houseNumber: string, street: string) => `${hundredBlockNumber(Number(houseNumber))} ${street}`);
  }
  if (MAY_HAVE_UNIT.test(result)) result = result.replace(UNIT, '$1[unit]');
  return result;
}
