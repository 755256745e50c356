/**
 * The public schema's date scalars. DateTime is an instant and must carry an offset, so
 * that a filter never depends on the server's or the source's time zone; Date is a plain
 * calendar date as BLDS publishes it.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { digits } from '../source/digits.js';

const OFFSET_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Whether the text is a date-time this API accepts: ISO 8601 with a time-zone offset (entry points that take text use the same rule). */
export function isOffsetDateTime(text: string): boolean {
  return OFFSET_DATETIME.test(text);
}

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !isOffsetDateTime(value)) {
    throw new GraphQLError(`DateTime must be an ISO 8601 string with a time-zone offset, e.g. "2024-03-05T14:30:00Z"; got ${JSON.stringify(value)}.`);
  }
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real date and time.`);
  return instant;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Whether the text is a real calendar date, 'YYYY-MM-DD', read digit by digit: every date of an
 * answer is checked, and a page of groups has thousands. Years before 0100 are refused: no
 * department records them, and databases disagree about them (PostgreSQL has no year 0).
 */
export function isCalendarDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1)) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0);
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw new GraphQLError(`Date must be a calendar date "YYYY-MM-DD"; got ${JSON.stringify(value)}.`);
  }
  return value;
}

function literal(ast: ValueNode): unknown {
  return ast.kind === Kind.STRING ? ast.value : undefined;
}

const MS_PER_DAY = 86_400_000;
/** 0000-01-01 and 10000-01-01 in ms since the epoch: the years ISO 8601 writes with four digits. */
const FOUR_DIGIT_YEARS = [-62_167_219_200_000, 253_402_300_800_000] as const;

const twoDigits = (n: number): string => (n < 10 ? '0' : '') + n;
/**
 * The parts of an instant's text, each built once: a page of rows writes hundreds of instants,
 * most on a few days, and building each text from numbers would allocate a dozen strings.
 */
const dayTexts = new Map<number, string>();
const KEPT_DAYS = 10_000;
const secondTexts: string[] = new Array<string>(86_400).fill('');
const millisecondTexts: string[] = new Array<string>(1000).fill('');

/** 'YYYY-MM-DDT' of a day number, by Howard Hinnant's `civil_from_days`. */
function dayText(days: number): string {
  let text = dayTexts.get(days);
  if (text !== undefined) return text;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  text = `${String(year).padStart(4, '0')}-${twoDigits(month)}-${twoDigits(day)}T`;
  if (dayTexts.size >= KEPT_DAYS) dayTexts.clear();
  dayTexts.set(days, text);
  return text;
}

/**
 * `date.toISOString()`, spelled in JavaScript: V8's own goes through its runtime and costs several
 * times as much. Other years than 0000–9999 (and invalid dates) are left to V8.
 */
export function instantText(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= FOUR_DIGIT_YEARS[0] && ms < FOUR_DIGIT_YEARS[1])) return date.toISOString();
  const days = Math.floor(ms / MS_PER_DAY);
  const inDay = ms - days * MS_PER_DAY;
  const second = Math.floor(inDay / 1000);
  const millis = inDay - second * 1000;
  const time = (secondTexts[second] ||= `${twoDigits(Math.floor(second / 3600))}:${twoDigits(Math.floor(second / 60) % 60)}:${twoDigits(second % 60)}`);
  return dayText(days) + time + (millisecondTexts[millis] ||= `.${String(millis).padStart(3, '0')}Z`);
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    if (value instanceof Date) return instantText(value);
    throw new GraphQLError('DateTime cannot represent a value that is not an instant.');
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(literal(ast)),
});

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  serialize: (value) => parseDate(value),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(literal(ast)),
});
