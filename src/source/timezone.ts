/**
 * Legacy systems store local wall-clock times with no offset (SQL Server `datetime`,
 * PostgreSQL `timestamp`). These convert between such wall-clock strings, read in the
 * source's declared IANA zone, and instants.
 */
import { digits } from './digits.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The zone's offset from UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - (instant - (instant % 1000));
}

const DAY = 86_400_000;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/**
 * The instant a wall-clock time names in `zone`. In the hour a DST change repeats, the
 * earlier instant wins; a time that DST skips moves forward by the gap (as Temporal's
 * "compatible" disambiguation does).
 */
export function wallClockToInstant(wallClock: string, zone: string): Date {
  return instantOfWallClock(wallClockAsUtc(wallClock), zone);
}

/** The instant of a wall-clock time in `zone`, the wall-clock time given read as if it were UTC. */
function instantOfWallClock(asUtc: number, zone: string): Date {
  return new Date(asUtc - offsetForWallClock(asUtc, zone));
}

const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The instant a source's date-time text names: text with an offset by that offset, text without
 * one as a wall-clock time in `zone`. The shapes sources print are tried first, digit by digit:
 * they hold no offset, and a page of rows holds hundreds of them.
 */
export function instantOfText(text: string, zone: string): Date {
  const asUtc = secondsWallClockAsUtc(text);
  if (asUtc !== undefined) return instantOfWallClock(asUtc, zone);
  return HAS_OFFSET.test(text) ? new Date(text) : wallClockToInstant(text, zone);
}

/** The wall-clock time read as if it were UTC, in milliseconds. */
function wallClockAsUtc(wallClock: string): number {
  const fast = secondsWallClockAsUtc(wallClock);
  if (fast !== undefined) return fast;
  const match = WALL_CLOCK.exec(wallClock);
  if (!match) throw new RangeError(`not a date-time without offset: ${JSON.stringify(wallClock)}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0'] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
}

/**
 * The shapes sources print, `YYYY-MM-DD[T ]HH:MM:SS` and `….mmm`, read digit by digit: a page
 * of rows holds hundreds of them, and the regular expression costs several times as much.
 * Anything else: undefined, for the regular expression to read or refuse.
 */
function secondsWallClockAsUtc(text: string): number | undefined {
  const length = text.length;
  if (length !== 19 && length !== 23) return undefined;
  const separator = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (separator !== 84 && separator !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  if (length === 23 && text.charCodeAt(19) !== 46) return undefined;
  const asUtc = Date.UTC(
    digits(text, 0, 4),
    digits(text, 5, 7) - 1,
    digits(text, 8, 10),
    digits(text, 11, 13),
    digits(text, 14, 16),
    digits(text, 17, 19),
    length === 23 ? digits(text, 20, 23) : 0,
  );
  // A character that is not a digit made its part NaN, and so the whole.
  return Number.isNaN(asUtc) ? undefined : asUtc;
}


/**
 * Time zones change offset on a quarter hour (most on the hour; Chatham Islands at 2:45),
 * so every wall-clock time in one quarter hour resolves the same way: resolving once per
 * quarter hour spares the costly Intl calls for all the others (a page of rows has
 * hundreds of date-times).
 */
const QUARTER_HOUR = 900_000;
const MAX_CACHED = 100_000;
const resolutions = new Map<string, Map<number, number>>();

function offsetForWallClock(asUtc: number, zone: string): number {
  let cache = resolutions.get(zone);
  if (!cache) resolutions.set(zone, (cache = new Map()));
  const block = Math.floor(asUtc / QUARTER_HOUR);
  let offset = cache.get(block);
  if (offset === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    offset = resolveOffset(block * QUARTER_HOUR, zone);
    cache.set(block, offset);
  }
  return offset;
}

/** The offset to subtract from a wall-clock time (read as if UTC) to get its instant. */
function resolveOffset(asUtc: number, zone: string): number {
  // The zone's offset is one of those in force a day either side of the time.
  const offsets = [...new Set([offsetAt(asUtc - DAY, zone), offsetAt(asUtc + DAY, zone), offsetAt(asUtc, zone)])];
  const exact = offsets.filter((offset) => asUtc - offset + offsetAt(asUtc - offset, zone) === asUtc);
  // Repeated time: the earlier instant, i.e. the larger offset; skipped time: forward by the gap, the smaller one.
  return exact.length > 0 ? Math.max(...exact) : Math.min(...offsets);
}

/** The wall-clock time, `YYYY-MM-DDTHH:MM:SS[.mmm]`, that `zone` shows at `instant`. */
export function instantToWallClock(instant: Date, zone: string): string {
  const shifted = new Date(instant.getTime() + offsetAt(instant.getTime(), zone));
  const iso = shifted.toISOString();
  return shifted.getUTCMilliseconds() === 0 ? iso.slice(0, 19) : iso.slice(0, 23);
}
