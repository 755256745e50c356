/**
 * How long an answer reading a dataset may be served from the response cache: the mapping's
 * `cache.maxAge`, or else a twelfth of how often the data changes (DCAT `accrualPeriodicity`),
 * at most an hour, so that a cached answer is never staler than a small part of an update
 * cycle. A dataset that says neither is not cached: nobody said its data may be late.
 */
import { parseDuration } from './load-roles.js';

const MAX_DEFAULT_MS = 3_600_000;
/** `R/P1D`, `R/PT1H`, `R/P1Y2M` …: the duration parts of an ISO 8601 repeating duration. */
const REPEATING = /^R\/P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const PART_MS = [365 * 86_400_000, 30 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000];

/** Milliseconds; 0 when not cached. A `maxAge` that is not a duration is reported and caches nothing. */
export function cacheMaxAge(raw: { cache?: { maxAge: string | number }; accrualPeriodicity?: string }, report: (message: string) => void): number {
  if (raw.cache !== undefined) {
    const written = raw.cache.maxAge;
    if (written === 0 || written === '0') return 0;
    const ms = parseDuration(written);
    if (ms === undefined) report(`cache maxAge ${JSON.stringify(written)} is not a duration: write e.g. 30s, 5m, 1h, or 0 to never cache`);
    return ms ?? 0;
  }
  const period = periodMs(raw.accrualPeriodicity);
  return period === undefined ? 0 : Math.min(MAX_DEFAULT_MS, Math.floor(period / 12));
}

/** The length of one period of an ISO 8601 repeating duration; undefined for anything else (`irregular`). */
export function periodMs(accrualPeriodicity: string | undefined): number | undefined {
  const match = accrualPeriodicity ? REPEATING.exec(accrualPeriodicity.trim()) : null;
  if (!match || match.slice(1).every((part) => part === undefined)) return undefined;
  return match.slice(1).reduce((total, part, index) => total + (part === undefined ? 0 : Number(part) * PART_MS[index]!), 0);
}
