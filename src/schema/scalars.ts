/**
 * The public schema's date scalars. DateTime is an instant and must carry an offset, so
 * that a filter never depends on the server's or the source's time zone; Date is a plain
 * calendar date as BLDS publishes it.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const OFFSET_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

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

export function isCalendarDate(value: string): boolean {
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().startsWith(value);
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

const twoDigits = (n: number): string => (n < 10 ? '0' : '') + n;
const MS_PER_DAY = 86_400_000;
/** 0000-01-01 and 10000-01-01 in ms since the epoch: the years ISO 8601 writes with four digits. */
const FOUR_DIGIT_YEARS = [-62_167_219_200_000, 253_402_300_800_000] as const;

/**
 * `date.toISOString()`, spelled in JavaScript: V8's own goes through its runtime and costs several
 * times as much, and a page of rows writes hundreds. The calendar date comes from the day number
 * by Howard Hinnant's `civil_from_days`; other years (and invalid dates) are left to V8.
 */
export function instantText(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= FOUR_DIGIT_YEARS[0] && ms < FOUR_DIGIT_YEARS[1])) return date.toISOString();
  const days = Math.floor(ms / MS_PER_DAY);
  const inDay = ms - days * MS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const millis = inDay % 1000;
  const seconds = Math.floor(inDay / 1000);
  return `${String(year).padStart(4, '0')}-${twoDigits(month)}-${twoDigits(day)}T${twoDigits(Math.floor(seconds / 3600))}:${twoDigits(Math.floor(seconds / 60) % 60)}:${twoDigits(seconds % 60)}.${millis < 100 ? (millis < 10 ? '00' : '0') : ''}${millis}Z`;
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
