import { describe, expect, it } from 'vitest';
import { DateScalar, DateTimeScalar, instantText, isCalendarDate } from '../../src/schema/scalars.js';

describe('DateTime as text', () => {
  const spelled = (ms: number): string => {
    try {
      return new Date(ms).toISOString();
    } catch (error) {
      return String(error);
    }
  };
  const ours = (ms: number): string => {
    try {
      return instantText(new Date(ms));
    } catch (error) {
      return String(error);
    }
  };

  it.each([
    ['the epoch', 0],
    ['a millisecond before it', -1],
    ['a leap day', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['2000-03-01, after a leap century', Date.UTC(2000, 2, 1)],
    ['1900-03-01, after a century that is not leap', Date.UTC(1900, 2, 1)],
    ['the first four-digit instant', -62_167_219_200_000],
    ['the last four-digit instant', 253_402_300_799_999],
    ['the first five-digit year', 253_402_300_800_000],
    ['a negative year', -62_167_219_200_001],
    ['the largest Date', 8.64e15],
    ['an invalid Date', Number.NaN],
  ])('%s is spelled as toISOString spells it', (_, ms) => {
    expect(ours(ms)).toBe(spelled(ms));
  });

  it('agrees with toISOString over many instants from 0000 to 9999', () => {
    let seed = 11;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const differing: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const ms = Math.floor(-62_167_219_200_000 + random() * (253_402_300_800_000 + 62_167_219_200_000));
      if (ours(ms) !== spelled(ms)) differing.push(`${ms}: ${ours(ms)} against ${spelled(ms)}`);
    }
    expect(differing.slice(0, 5)).toEqual([]);
  });

  it('serialises an instant, and refuses anything else', () => {
    expect(DateTimeScalar.serialize(new Date('2019-01-01T13:08:59Z'))).toBe('2019-01-01T13:08:59.000Z');
    expect(() => DateTimeScalar.serialize('2019-01-01T13:08:59Z')).toThrow(/not an instant/);
  });
});

describe('Date', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2000-02-29', true],
    ['2024-04-31', false],
    ['2024-12-31', true],
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['2024-01-00', false],
    ['0099-12-31', false],
    ['0100-01-01', true],
    ['2024-1-01', false],
    ['2024-01-01T00:00:00Z', false],
    ['2024-01-0a', false],
  ])('%s is a calendar date: %s', (text, real) => {
    expect(isCalendarDate(text)).toBe(real);
    if (real) expect(DateScalar.serialize(text)).toBe(text);
    else expect(() => DateScalar.serialize(text)).toThrow(/calendar date/);
  });
});
