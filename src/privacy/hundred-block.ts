/**
 * The hundred block of a street address, '1163 W 24TH ST' → '11XX W 24TH ST', as one fixed
 * program of regular-expression steps. It is defined once, here, and run three ways: by the
 * `hundredBlock` rule in JavaScript (`hundredBlock`), and compiled into a SQL expression or a
 * MongoDB aggregation expression by the sources that filter, order and group on a field the
 * role reads as its hundred block. All three give the same text, so a filter on the block
 * compares exactly the value the role reads.
 *
 * What makes that hold is the form of the steps, not the engines' good will. Each step is one
 * of a handful of operations every engine has (the leftmost match of a pattern, the text
 * without it, whether it matches), and the patterns keep to what every engine reads alike:
 * bracketed classes of explicit characters (no `\s`, `\d`, `\b`, no look-around, no case
 * flag: `[Aa][Pp][Tt]`), anchors and greedy repeats arranged so that the leftmost-first match
 * of JavaScript, PCRE, ICU and RE2 is also the leftmost-longest match of PostgreSQL. The first
 * step folds every run of white space into one space, so that no engine's idea of a line end
 * (where `.` stops and `$` may match) comes into play.
 *
 * The rule, step by step:
 * - a house number (digits, then possibly the rest of a range 1163-1167, a letter 1163A, a
 *   half 1163 1/2) keeps its hundreds: 1163 → 11XX, 5 → 0XX, 12345 → 123XX;
 * - the street after it ends before a unit (APT 3, #3, STE 200, …) and before the next bare
 *   number (a ZIP code), unless that number follows a route word (US HWY 41, ROUTE 9);
 *   separators left at its end go, and it must hold a letter;
 * - an address without a house number gives its street, or an intersection of two
 *   ('W 24TH ST & S MAIN ST'), when each is recognisably nothing but a street (one to five
 *   name words and a street type, with directions around them);
 * - anything else ('BEHIND 1163 W 24TH ST', a landmark, a name) is null: never the raw value.
 */
import { DIRECTIONS, ROUTE_WORDS, STREET_TYPES } from './street-words.js';

/**
 * One step over text, null in null out. `cutStart`/`cutEnd` remove the leftmost match of a
 * pattern anchored at the start/end; `match` is the leftmost match, null when there is none or
 * it is empty; `when` tests the value the program runs on (`address`).
 */
export type TextStep =
  | { op: 'address' }
  | { op: 'text'; text: string }
  | { op: 'cutStart' | 'cutEnd' | 'match'; pattern: string; of: TextStep }
  | { op: 'concat'; parts: TextStep[] }
  /** The value, or `text` when it is empty. */
  | { op: 'orElse'; of: TextStep; text: string }
  | { op: 'when'; pattern: string; then: TextStep; else: TextStep };

/**
 * What the program's first step folds into one space: JavaScript's `\s`, and U+0085, which ICU
 * counts as a line end (a `$` could match before it).
 */
export const WHITE_SPACE = '\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** `[Ss][Tt]` for ST: letters in both cases, without any engine's case folding. */
function caseless(word: string): string {
  return word.replace(/[A-Za-z]/g, (letter) => `[${letter.toUpperCase()}${letter.toLowerCase()}]`);
}

function words(list: readonly string[]): string {
  return `(?:${[...list].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map(caseless).join('|')})`;
}

const NUMBER = '[0-9]+(?:[-/][0-9]+)*';
/** A house number with its range, letter and half, and the space after it. */
const HOUSE = '^[0-9]+(?: ?- ?[0-9]+)?[A-Za-z]?(?: [0-9]+/[0-9]+)? ';
const UNIT_WORDS = ['APT', 'APARTMENT', 'UNIT', 'STE', 'SUITE', 'RM', 'ROOM', 'FL', 'FLOOR', 'BLDG', 'BUILDING', 'LOT', 'SPC', 'SPACE', 'TRLR', 'DEPT'];
/** A unit designator after a space or comma, and everything after it: the block names a street, not a door. */
const UNIT = `(?: ?, ?| )(?:#.*|${words(UNIT_WORDS)}(?:[^A-Za-z0-9_].*)?)$`;
/** A word that is not a bare number (1163, 60614, 1-2, 1/2), or a route word with the number it names. */
const NOT_NUMBER = '(?:[^ ]*[^ 0-9/-][^ ]*|[-/][^ ]*|[^ ]*[-/]|[^ ]*[-/][-/][^ ]*)';
const STREET_WORDS = `^(?:${words(ROUTE_WORDS)} ${NUMBER} |${NOT_NUMBER} )*`;
const CONNECTORS = `(?:&|${caseless('AND')}|${caseless('AT')}|/|@)`;
/** Spaces, commas and connecting words left at the end of a street. */
const TRAILING = `(?:[ ,]*(?: ${CONNECTORS}))*[ ,]*$`;
const HAS_LETTER = '^.*[A-Za-z].*$';
/** Where two streets meet: 'W 24TH ST & S MAIN ST', 'W 24TH ST AND S MAIN ST'. */
const CROSSING = ` ${CONNECTORS} `;
const DIRECTION = words(DIRECTIONS);
/** A street-name word; one starting with digits goes on with a letter (24TH, not 1163 or 12-B). */
const NAME_WORD = "(?:[A-Za-z'.-][A-Za-z0-9'.-]*|[0-9]+[A-Za-z][A-Za-z0-9'.-]*)";
const STREET = `^(?:${DIRECTION} )?(?:${NAME_WORD} ){1,5}${words(STREET_TYPES)}\\.?(?: ${DIRECTION})?$`;

const address: TextStep = { op: 'address' };
const text = (value: string): TextStep => ({ op: 'text', text: value });
const cutStart = (of: TextStep, pattern: string): TextStep => ({ op: 'cutStart', pattern, of });
const cutEnd = (of: TextStep, pattern: string): TextStep => ({ op: 'cutEnd', pattern, of });
const match = (of: TextStep, pattern: string): TextStep => ({ op: 'match', pattern, of });
const concat = (...parts: TextStep[]): TextStep => ({ op: 'concat', parts });

/** 1163 → 11, 5 → 0, 0042 → 0: the digits without leading zeros and without the last two. */
const block = { op: 'orElse', of: cutEnd(cutStart(match(address, '^[0-9]+'), '^0+'), '[0-9]?[0-9]$'), text: '0' } satisfies TextStep;
const streetAfterNumber = match(cutEnd(match(concat(cutEnd(cutStart(address, HOUSE), UNIT), text(' ')), STREET_WORDS), TRAILING), HAS_LETTER);
const namedStreet = (of: TextStep): TextStep => match(cutEnd(of, UNIT), STREET);
/** The street after the first crossing; nothing when another crossing follows. */
const crossingStreet = namedStreet(cutEnd(cutStart(match(address, `${CROSSING}.*$`), `^${CROSSING}`), `^.*${CROSSING}.*$`));

/** The program, over the address with its white space folded (`WHITE_SPACE`). */
export const HUNDRED_BLOCK: TextStep = {
  op: 'when',
  pattern: HOUSE,
  then: concat(block, text('XX '), streetAfterNumber),
  else: concat(namedStreet(cutEnd(address, `${CROSSING}.*$`)), { op: 'when', pattern: CROSSING, then: concat(text(' & '), crossingStreet), else: text('') }),
};

/** How one engine spells the steps; `address` is the folded address. */
export interface TextEngine<T> {
  address: T;
  text(value: string): T;
  cutStart(of: T, pattern: string): T;
  cutEnd(of: T, pattern: string): T;
  match(of: T, pattern: string): T;
  concat(parts: T[]): T;
  orElse(of: T, text: string): T;
  when(pattern: string, then: T, otherwise: T): T;
}

export function compileSteps<T>(step: TextStep, engine: TextEngine<T>): T {
  const compile = (next: TextStep) => compileSteps(next, engine);
  switch (step.op) {
    case 'address':
      return engine.address;
    case 'text':
      return engine.text(step.text);
    case 'cutStart':
      return engine.cutStart(compile(step.of), step.pattern);
    case 'cutEnd':
      return engine.cutEnd(compile(step.of), step.pattern);
    case 'match':
      return engine.match(compile(step.of), step.pattern);
    case 'concat':
      return engine.concat(step.parts.map(compile));
    case 'orElse':
      return engine.orElse(compile(step.of), step.text);
    case 'when':
      return engine.when(step.pattern, compile(step.then), compile(step.else));
  }
}

const SPACES = new RegExp(`[${WHITE_SPACE}]+`, 'g');

/** The program of one folded address in JavaScript: each step a function of it. */
type Reading = (address: string) => string | null;

const JAVASCRIPT: TextEngine<Reading> = {
  address: (address) => address,
  text: (constant) => () => constant,
  cutStart: (of, pattern) => cut(of, new RegExp(pattern)),
  cutEnd: (of, pattern) => cut(of, new RegExp(pattern)),
  match: (of, pattern) => {
    const wanted = new RegExp(pattern);
    return (address) => {
      const value = of(address);
      return value === null ? null : wanted.exec(value)?.[0] || null;
    };
  },
  concat: (parts) => (address) => {
    const values = parts.map((part) => part(address));
    return values.some((value) => value === null) ? null : values.join('');
  },
  orElse: (of, constant) => (address) => {
    const value = of(address);
    return value === '' ? constant : value;
  },
  // Only the branch taken is computed.
  when: (pattern, then, otherwise) => {
    const test = new RegExp(pattern);
    return (address) => (test.test(address) ? then(address) : otherwise(address));
  },
};

function cut(of: Reading, pattern: RegExp): Reading {
  return (address) => {
    const value = of(address);
    return value === null ? null : value.replace(pattern, '');
  };
}

/** Compiled once: building the program's functions for every value cost more than running them. */
const readHundredBlock = compileSteps(HUNDRED_BLOCK, JAVASCRIPT);

/** The program in JavaScript, for the `hundredBlock` rule and the memory engine. */
export function hundredBlock(value: string): string | null {
  return readHundredBlock(value.replace(SPACES, ' ').replace(/^ | $/g, ''));
}
