/** CSV cells → typed values, exactly as the SQL sources return them (see src/source/sql/values.ts). */
import { describe, expect, it } from 'vitest';
import { cellReader } from '../../../src/source/csv/typed-values.js';
import type { DeclaredType, SourceValue } from '../../../src/source/source.js';

const read = (type: DeclaredType, text: string, zone = 'UTC') => cellReader(type, zone)(text);

describe('typed CSV cells', () => {
  it.each<[DeclaredType, string, SourceValue]>([
    ['text', '  spaces kept  ', '  spaces kept  '],
    ['text', '', null],
    ['integer', '42', 42],
    ['integer', ' -7 ', -7],
    ['integer', '+7', 7],
    ['integer', '-0', 0],
    ['integer', '9007199254740991', 9007199254740991],
    ['integer', '9007199254740993', 9007199254740993n],
    ['integer', '-9007199254740993', -9007199254740993n],
    ['integer', '  ', null],
    ['decimal', '125.50', 125.5],
    ['decimal', '-.25', -0.25],
    ['decimal', '1000', 1000],
    ['decimal', '1.5E3', 1500],
    ['decimal', '7.', 7],
    ['boolean', 'TRUE', true],
    ['boolean', 't', true],
    ['boolean', 'Yes', true],
    ['boolean', 'y', true],
    ['boolean', '1', true],
    ['boolean', 'False', false],
    ['boolean', 'F', false],
    ['boolean', 'no', false],
    ['boolean', 'N', false],
    ['boolean', '0', false],
    ['date', '2024-02-29', '2024-02-29'],
    ['date', '3/5/2024', '2024-03-05'],
    ['date', '12/31/2023', '2023-12-31'],
    ['date', '02/29/2000', '2000-02-29'],
    ['timestamp', '2024-03-05 14:30', '2024-03-05T14:30:00'],
    ['timestamp', '2024-03-05T14:30:05', '2024-03-05T14:30:05'],
    ['timestamp', '2024-03-05 14:30:05.000', '2024-03-05T14:30:05'],
    ['timestamp', '2024-03-05 14:30:05.25', '2024-03-05T14:30:05.250'],
    ['timestamp', '2024-03-05 14:30:05.0079', '2024-03-05T14:30:05.007'],
    ['timestamp', '3/5/2024 8:05', '2024-03-05T08:05:00'],
    ['timestamptz', '2024-03-05T14:30:00Z', new Date('2024-03-05T14:30:00Z')],
    ['timestamptz', '2024-03-05 14:30:00.5z', new Date('2024-03-05T14:30:00.500Z')],
    ['timestamptz', '2024-03-05 14:30:00+02:00', new Date('2024-03-05T12:30:00Z')],
    ['timestamptz', '2024-03-05 14:30:00 -0530', new Date('2024-03-05T20:00:00Z')],
    ['timestamptz', '2024-03-05T14:30-05', new Date('2024-03-05T19:30:00Z')],
    ['timestamptz', '2024-03-05 14:30:00', new Date('2024-03-05T14:30:00Z')],
  ])('%s %j → %s', (type, text, expected) => {
    expect(read(type, text)).toEqual(expected);
  });

  it('reads a timestamptz without offset in the source zone, DST included', () => {
    expect(read('timestamptz', '2024-01-15 09:30:00', 'America/Chicago')).toEqual(new Date('2024-01-15T15:30:00Z'));
    expect(read('timestamptz', '7/15/2024 9:30', 'America/Chicago')).toEqual(new Date('2024-07-15T14:30:00Z'));
    // A naive timestamp is never shifted: it stays the wall-clock time written.
    expect(read('timestamp', '2024-07-15 09:30:00', 'America/Chicago')).toBe('2024-07-15T09:30:00');
  });

  it.each<[DeclaredType, string]>([
    ['integer', '1.5'],
    ['integer', '1,000'],
    ['integer', '12abc'],
    ['integer', '0x10'],
    ['decimal', '1,5'],
    ['decimal', 'NaN'],
    ['decimal', 'Infinity'],
    ['decimal', '.'],
    ['decimal', '$12'],
    ['boolean', 'maybe'],
    ['boolean', 'on'],
    ['date', '2023-02-29'],
    ['date', '2024-13-01'],
    ['date', '13/1/2024'],
    ['date', '2024-3-5'],
    ['date', '3/5/24'],
    ['date', '2024-03-05 10:00'],
    ['timestamp', '2024-03-05'],
    ['timestamp', '2024-03-05 24:00'],
    ['timestamp', '2024-03-05 10:60'],
    ['timestamp', '2024-03-05 10:00:00Z'],
    ['timestamp', '2024-02-30 10:00'],
    ['timestamptz', '2024-03-05 10:00:00+24:00'],
    ['timestamptz', '2024-03-05 10:00:00 CET'],
    ['timestamptz', 'yesterday'],
  ])('%s refuses %j', (type, text) => {
    expect(read(type, text)).toBeUndefined();
  });
});
