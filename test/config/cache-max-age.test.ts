import { describe, expect, it } from 'vitest';
import { cacheMaxAge, periodMs } from '../../src/config/cache-max-age.js';
import { BASE, loadFiles } from './helpers.js';

const never = (message: string) => {
  throw new Error(message);
};

describe('how long answers reading a dataset are cached', () => {
  it('is what cache.maxAge says, with units, or 0 to never cache', () => {
    expect(cacheMaxAge({ cache: { maxAge: '5m' } }, never)).toBe(300_000);
    expect(cacheMaxAge({ cache: { maxAge: '30s' }, accrualPeriodicity: 'R/P1D' }, never)).toBe(30_000);
    expect(cacheMaxAge({ cache: { maxAge: 0 }, accrualPeriodicity: 'R/P1D' }, never)).toBe(0);
  });

  it('defaults to a twelfth of accrualPeriodicity, at most an hour', () => {
    expect(cacheMaxAge({ accrualPeriodicity: 'R/PT1H' }, never)).toBe(300_000);
    expect(cacheMaxAge({ accrualPeriodicity: 'R/PT12M' }, never)).toBe(60_000);
    expect(cacheMaxAge({ accrualPeriodicity: 'R/P1D' }, never)).toBe(3_600_000);
    expect(cacheMaxAge({ accrualPeriodicity: 'R/P1W' }, never)).toBe(3_600_000);
  });

  it('never caches a dataset that says nothing of how often it changes, or that it changes irregularly', () => {
    expect(cacheMaxAge({}, never)).toBe(0);
    expect(cacheMaxAge({ accrualPeriodicity: 'irregular' }, never)).toBe(0);
    expect(cacheMaxAge({ accrualPeriodicity: 'R/P' }, never)).toBe(0);
  });

  it('reads ISO 8601 repeating durations', () => {
    expect(periodMs('R/P1Y')).toBe(365 * 86_400_000);
    expect(periodMs('R/P1DT12H')).toBe(36 * 3_600_000);
    expect(periodMs('R/PT30S')).toBe(30_000);
    expect(periodMs('P1D')).toBeUndefined();
  });

  it('is on every loaded dataset, from its mapping', async () => {
    const loaded = await loadFiles({ 'crm.yaml': BASE.replace('    table: SR_CASE', '    accrualPeriodicity: R/PT1H\n    table: SR_CASE') });
    expect(loaded.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(loaded.mappings[0]!.datasets[0]!.cacheMaxAgeMs).toBe(300_000);
  });
});
