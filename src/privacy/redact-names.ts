/**
 * Personal names that a cue word announces → '[name]', the cue kept:
 *
 * - after a role: caller, resident, neighbor (neighbour), tenant, owner, homeowner, landlord —
 *   'caller John Smith said', 'Spoke with tenant Maria Lopez', 'owner: J. Smith', 'the caller
 *   is Mrs. Garcia';
 * - after a title: Mr, Mrs, Ms, Mx, Miss, Dr, with or without the dot — 'Mrs. Garcia'.
 *
 * A name is one to three Capitalised words (O'Brien, McKinley, Fennimore-Oyelaran and initials
 * like 'J.' included), so the cue words' ordinary company stays: 'caller said', 'resident
 * reports', 'owner notified'. Capitalised words that follow a cue without being a name (The,
 * He, Please, Apt, North, Monday, …) end it; 'Hickory Dr Apt 2' is a street, not a doctor.
 *
 * Not recognised: a name without a cue ('John Smith called'), after the cue word in another
 * sense, in lower case ('caller john smith') or in UPPER CASE.
 */
import { DIRECTIONS } from './street-words.js';
import { anyCase } from './word-pattern.js';

const ROLE = anyCase(['caller', 'resident', 'neighbor', 'neighbour', 'tenant', 'owner', 'homeowner', 'landlord']);
/** Between a role and its name: a space, ':' or ',', or a verb that introduces it ('the caller is …'). */
const AFTER_ROLE = String.raw`(?:\s*[:,]\s*|\s+(?:named|is|was|called)\s+|\s+)`;
const TITLE = '(?:Mrs|Mr|Ms|Mx|Miss|Dr)(?:\\.\\s*|\\s+)';

/** Capitalised words that follow a cue word without being a name. */
const NOT_A_NAME = [
  'The', 'This', 'That', 'These', 'Those', 'He', 'She', 'They', 'We', 'You', 'It', 'His', 'Her', 'Their', 'My', 'Our', 'Your',
  'And', 'Or', 'But', 'If', 'Please', 'Called', 'Said', 'Says', 'Reports', 'Reported', 'Apt', 'Apartment', 'Unit', 'Suite',
  'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday',
  // Not April, May, June or August: first names too.
  'January', 'February', 'March', 'July', 'September', 'October', 'November', 'December',
  ...DIRECTIONS.map((direction) => direction.charAt(0) + direction.slice(1).toLowerCase()),
];
const WORD = String.raw`(?!(?:${NOT_A_NAME.join('|')})(?![\p{L}'’-]))(?:\p{Lu}['’])?\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:-(?:\p{Lu}['’])?\p{Lu}\p{Ll}+)?`;
const INITIAL = String.raw`\p{Lu}\.`;
/** Up to two first names or initials, then the last name. */
const NAME = String.raw`(?:(?:${INITIAL}|${WORD})\s*){0,2}${WORD}(?![\p{L}\d])`;

const CUED_NAME = new RegExp(`(\\b${ROLE}${AFTER_ROLE}(?:${TITLE})?|\\b${TITLE})${NAME}`, 'gu');
/** Whether a cue word occurs at all: most text without one is skipped. */
const MAY_HAVE_CUE = new RegExp(`\\b(?:${ROLE}|Mrs?|Ms|Mx|Miss|Dr)\\b`, 'u');

export function redactNames(text: string): string {
  return MAY_HAVE_CUE.test(text) ? text.replace(CUED_NAME, '$1[name]') : text;
}
