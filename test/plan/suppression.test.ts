import { describe, expect, it } from 'vitest';
import { suppressSmallCells, type StatsGroup } from '../../src/plan/stats.js';

const group = (service: string, status: string, count: number): StatsGroup => ({
  key: { serviceCode: service, status },
  count,
  suppressed: false,
  min: {},
  max: {},
  sum: {},
  avg: {},
});

/** Every sum a coarser query shows: per service, per status, and the grand total. */
function margins(groups: StatsGroup[], truth: StatsGroup[]): Array<{ hiddenInLine: number }> {
  const lines = (key: 'serviceCode' | 'status') => [...new Set(truth.map((g) => g.key[key]))].map((value) => groups.filter((g) => g.key[key] === value));
  return [...lines('serviceCode'), ...lines('status'), groups].map((line) => ({ hiddenInLine: line.filter((g) => g.suppressed).length }));
}

describe('small-cell suppression', () => {
  it('hides small cells and, in every row and column, never exactly one cell', () => {
    const cells = () => [
      group('BULKPKUP', 'OPEN', 1),
      group('BULKPKUP', 'CLOSED', 49),
      group('STRTLGT', 'OPEN', 2),
      group('STRTLGT', 'CLOSED', 80),
      group('PTHOLE', 'OPEN', 30),
      group('PTHOLE', 'CLOSED', 120),
    ];
    const truth = cells();
    const groups = cells();
    suppressSmallCells(groups, 3, ['serviceCode', 'status']);
    expect(groups.filter((g) => g.count !== null && g.count < 3)).toEqual([]);
    expect(groups.find((g) => g.key.serviceCode === 'BULKPKUP' && g.key.status === 'OPEN')!.suppressed).toBe(true);
    for (const { hiddenInLine } of margins(groups, truth)) expect(hiddenInLine === 0 || hiddenInLine >= 2).toBe(true);
  });

  it('with one key, hides a partner for a lone small group so the total does not reveal it', () => {
    const groups = [group('A', '-', 2), group('B', '-', 10), group('C', '-', 40)];
    suppressSmallCells(groups, 3, ['serviceCode']);
    expect(groups.map((g) => g.count)).toEqual([null, null, 40]);
  });

  it('hides a lone total that is small', () => {
    const groups = [group('-', '-', 2)];
    suppressSmallCells(groups, 3, []);
    expect(groups[0]).toMatchObject({ count: null, suppressed: true });
  });

  it('leaves tables without small cells alone', () => {
    const groups = [group('A', 'OPEN', 3), group('A', 'CLOSED', 4)];
    suppressSmallCells(groups, 3, ['serviceCode', 'status']);
    expect(groups.map((g) => g.count)).toEqual([3, 4]);
  });
});
