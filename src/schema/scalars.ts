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

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
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
