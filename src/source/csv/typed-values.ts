/**
 * CSV cells (always text) → the values a SQL source returns for the same data in a column
 * of the declared type (see `SourceValue` and ../sql/values.ts), so that a dataset reads the
 * same whether a department keeps it in a database or a spreadsheet.
 */
import type { DeclaredType, SourceValue } from '../source.js';
import { toNumber } from '../sql/values.js';
import { wallClockToInstant } from '../timezone.js';

/** A cell's text → its value, or `undefined` when the text is not a value of the type. */
export type CellReader = (text: string) => SourceValue | undefined;

/** What a cell should have held, for error messages (which never quote the cell itself). */
export const EXPECTED: Readonly<Record<DeclaredType, string>> = {
  text: 'text',
  integer: 'an integer',
  decimal: 'a decimal number',
  boolean: 'a boolean (true/false, yes/no, y/n, t/f, 1/0)',
  date: 'a date (YYYY-MM-DD or M/D/YYYY)',
  timestamp: 'a date-time (YYYY-MM-DD HH:MM[:SS[.fff]])',
  timestamptz: 'a date-time (YYYY-MM-DD HH:MM[:SS[.fff]], with an offset or Z, or in the source timezone)',
};

export function cellReader(type: DeclaredType, timezone: string): CellReader {
  // A spreadsheet cannot tell an empty string from no value: an empty cell is NULL in every column.
  if (type === 'text') return (text) => (text === '' ? null : text);
  const read = TYPED[type];
  // Hand-edited cells often carry stray spaces around numbers and dates.
  return (text) => {
    const trimmed = text.trim();
    return trimmed === '' ? null : read(trimmed, timezone);
  };
}

type TypedReader = (text: string, timezone: string) => SourceValue | undefined;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

const TYPED: Readonly<Record<Exclude<DeclaredType, 'text'>, TypedReader>> = {
  integer: (text) => (INTEGER.test(text) ? number(text) : undefined),
  decimal: (text) => (DECIMAL.test(text) ? number(text) : undefined),
  boolean: (text) => {
    const lower = text.toLowerCase();
    return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
  },
  date: (text) => calendarDate(text),
  timestamp: (text) => {
    const parts = dateTime(text);
    return parts && parts.offsetMinutes === undefined ? naive(parts) : undefined;
  },
  timestamptz: (text, timezone) => {
    const parts = dateTime(text);
    if (!parts) return undefined;
    if (parts.offsetMinutes === undefined) return wallClockToInstant(naive(parts), timezone);
    const [year, month, day] = parts.date.split('-').map(Number) as [number, number, number];
    return new Date(Date.UTC(year, month - 1, day, parts.hour, parts.minute, parts.second, parts.millis) - parts.offsetMinutes * 60_000);
  },
};

/** As ../sql/values.ts does: a number, or a bigint for an integer beyond 2^53; never -0. */
function number(text: string): number | bigint {
  const value = toNumber(text.replace(/^\+/, ''));
  return value === 0 ? 0 : value;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// US spreadsheet exports write dates as 3/5/2024.
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** 'YYYY-MM-DD' for an ISO or US date of the calendar (no 2024-02-30). */
function calendarDate(text: string): string | undefined {
  const iso = ISO_DATE.exec(text);
  const us = iso ? undefined : US_DATE.exec(text);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1], us[2]] : [];
  if (year === undefined || month === undefined || day === undefined) return undefined;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

interface DateTimeParts {
  date: string;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  /** East of UTC; undefined when the text carries no offset. */
  offsetMinutes?: number;
}

const DATE_TIME = /^(\S+)[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)? ?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/i;

function dateTime(text: string): DateTimeParts | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, dateText = '', hourText = '', minuteText = '', secondText = '0', fraction = '', zulu, sign, offsetHours, offsetMins = '0'] = m;
  const date = calendarDate(dateText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (date === undefined || hour > 23 || minute > 59 || second > 59) return undefined;
  // Only milliseconds survive, as in the SQL sources (timestamp(3), a JS Date).
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (zulu) return { date, hour, minute, second, millis, offsetMinutes: 0 };
  if (!sign) return { date, hour, minute, second, millis };
  if (Number(offsetHours) > 23 || Number(offsetMins) > 59) return undefined;
  const offset = Number(offsetHours) * 60 + Number(offsetMins);
  return { date, hour, minute, second, millis, offsetMinutes: sign === '-' ? -offset : offset };
}

/** The naive ISO form the SQL sources return: milliseconds only when non-zero. */
function naive({ date, hour, minute, second, millis }: DateTimeParts): string {
  const time = [hour, minute, second].map((n) => String(n).padStart(2, '0')).join(':');
  return `${date}T${time}${millis === 0 ? '' : '.' + String(millis).padStart(3, '0')}`;
}
