/**
 * Local wall-clock time arithmetic for the demo systems. The legacy systems store
 * `timestamp without time zone` in Riverton's local time (America/Chicago), so the
 * generator works in "local milliseconds": a wall-clock reading encoded as if it were UTC.
 * No host time zone is ever consulted, so output is identical on every machine.
 */
import type { Random } from './random.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Local milliseconds of a wall-clock reading (month is 1-based). */
export function localMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** 'YYYY-MM-DD HH:MM:SS' — a PostgreSQL `timestamp without time zone` literal. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(
    d.getUTCMinutes(),
  )}:${pad2(d.getUTCSeconds())}`;
}

/** 'YYYY-MM-DD' — a PostgreSQL `date` literal. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Truncates local milliseconds to the start of their day. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

export function yearOf(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/** 1-based month. */
export function monthOf(ms: number): number {
  return new Date(ms).getUTCMonth() + 1;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(ms: number): number {
  return new Date(ms).getUTCDay();
}

export function hourOf(ms: number): number {
  return new Date(ms).getUTCHours();
}

const dstStartCache = new Map<number, number>();

/** Local milliseconds of 02:00 on the second Sunday of March: the hour that does not exist in Chicago. */
function dstGapStart(year: number): number {
  let start = dstStartCache.get(year);
  if (start === undefined) {
    const march1 = localMs(year, 3, 1);
    const firstSunday = 1 + ((7 - weekdayOf(march1)) % 7);
    start = localMs(year, 3, firstSunday + 7, 2);
    dstStartCache.set(year, start);
  }
  return start;
}

/**
 * Moves a wall-clock reading that falls in the spring-forward gap (02:00–02:59 on the
 * day daylight saving time starts) one hour later, as a real system's clock would.
 */
export function skipDstGap(ms: number): number {
  const gap = dstGapStart(yearOf(ms));
  return ms >= gap && ms < gap + HOUR ? ms + HOUR : ms;
}

/** Moves a moment outside working hours to the next working morning (07:00–10:00). */
export function toWorkingHours(random: Random, ms: number): number {
  const hour = hourOf(ms);
  const weekday = weekdayOf(ms);
  if (hour >= 7 && hour < 17 && weekday !== 0 && weekday !== 6) return ms;
  let day = Math.floor(ms / DAY) * DAY;
  if (hour >= 17) day += DAY;
  while (weekdayOf(day) === 0 || weekdayOf(day) === 6) day += DAY;
  return day + 7 * HOUR + random.int(0, 479) * MINUTE + random.int(0, 59) * 1000;
}

/** The same day if it is a weekday, else the Monday after. */
export function nextWeekday(day: number): number {
  let result = day;
  while (weekdayOf(result) === 0 || weekdayOf(result) === 6) result += DAY;
  return result;
}

/** The moment the demo data was extracted: every generated time is at or before it. */
export const SNAPSHOT = localMs(2024, 12, 31, 23, 59, 59);
export const FIRST_DAY = localMs(2019, 1, 1);
