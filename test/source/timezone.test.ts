import { describe, expect, it } from 'vitest';
import { instantOfText, instantToWallClock, wallClockToInstant } from '../../src/source/timezone.js';

describe('wall-clock times of a source zone', () => {
  it.each([
    ['2024-01-15T09:30:00', 'America/Chicago', '2024-01-15T15:30:00.000Z'], // CST, UTC-6
    ['2024-07-15T09:30:00', 'America/Chicago', '2024-07-15T14:30:00.000Z'], // CDT, UTC-5
    ['2024-07-15 09:30:00', 'Europe/Berlin', '2024-07-15T07:30:00.000Z'],
    ['2024-07-15T09:30:00.250', 'UTC', '2024-07-15T09:30:00.250Z'],
    ['2024-07-15', 'America/Chicago', '2024-07-15T05:00:00.000Z'],
  ])('%s in %s is %s', (wallClock, zone, instant) => {
    expect(wallClockToInstant(wallClock, zone).toISOString()).toBe(instant);
  });

  it('reads the repeated hour at the end of daylight saving time as its first occurrence', () => {
    expect(wallClockToInstant('2024-11-03T01:30:00', 'America/Chicago').toISOString()).toBe('2024-11-03T06:30:00.000Z');
  });

  // Instants inside the repeated hour cannot round-trip: their wall-clock time names two instants.
  it('round-trips instants outside the repeated hour through the zone', () => {
    for (const iso of ['2024-03-10T07:59:59.000Z', '2024-03-10T08:00:00.000Z', '2024-11-03T08:00:00.000Z', '2019-01-01T00:00:00.000Z']) {
      const instant = new Date(iso);
      expect(wallClockToInstant(instantToWallClock(instant, 'America/Chicago'), 'America/Chicago').toISOString()).toBe(iso);
    }
  });

  it('shows milliseconds only when there are some', () => {
    expect(instantToWallClock(new Date('2024-07-15T14:30:00Z'), 'America/Chicago')).toBe('2024-07-15T09:30:00');
    expect(instantToWallClock(new Date('2024-07-15T14:30:00.5Z'), 'America/Chicago')).toBe('2024-07-15T09:30:00.500');
  });

  it('refuses text that is not a date-time without offset', () => {
    expect(() => wallClockToInstant('15/07/2024', 'UTC')).toThrow(/not a date-time without offset/);
  });
});

describe('daylight-saving gaps', () => {
  it('moves a skipped wall-clock time forward by the gap', () => {
    // 02:30 does not exist in Chicago on 2024-03-10: clocks jump from 02:00 CST to 03:00 CDT.
    expect(wallClockToInstant('2024-03-10T02:30:00', 'America/Chicago').toISOString()).toBe('2024-03-10T08:30:00.000Z');
  });

  it('reads the hour after the repeated one with the new offset', () => {
    expect(wallClockToInstant('2024-11-03T02:00:00', 'America/Chicago').toISOString()).toBe('2024-11-03T08:00:00.000Z');
  });
});

describe('resolution per quarter hour', () => {
  it('agrees minute by minute with a direct reading across both changes of 2024 and in a 45-minute zone', () => {
    // Every minute of the two change days: each must name an instant whose wall-clock time is itself (outside gaps).
    for (const [zone, day] of [['America/Chicago', '2024-03-10'], ['America/Chicago', '2024-11-03'], ['Pacific/Chatham', '2024-04-07'], ['Pacific/Chatham', '2024-09-29']] as const) {
      for (let minute = 0; minute < 24 * 60; minute += 7) {
        const wallClock = `${day}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;
        const instant = wallClockToInstant(wallClock, zone);
        const back = instantToWallClock(instant, zone);
        // A skipped time moves forward (by the gap, an hour at most); any other time reads back as itself.
        if (back !== wallClock) {
          expect(back > wallClock).toBe(true);
          expect(instant.getTime() - wallClockToInstant(`${day}T${back.slice(11)}`, zone).getTime()).toBe(0);
        }
      }
    }
  });
});

describe('date-time text of a source', () => {
  it.each([
    ['2024-07-15T09:30:00', '2024-07-15T14:30:00.000Z'],
    ['2024-07-15 09:30:00', '2024-07-15T14:30:00.000Z'],
    ['2024-07-15T09:30:00.250', '2024-07-15T14:30:00.250Z'],
    ['2024-11-03T01:30:00', '2024-11-03T06:30:00.000Z'],
    ['2024-07-15T09:30', '2024-07-15T14:30:00.000Z'],
    ['2024-07-15T09:30:00Z', '2024-07-15T09:30:00.000Z'],
    ['2024-07-15T09:30:00+02:00', '2024-07-15T07:30:00.000Z'],
    ['2024-07-15T09:30:00.250-0400', '2024-07-15T13:30:00.250Z'],
  ])('%s read in America/Chicago is %s', (text, instant) => {
    expect(instantOfText(text, 'America/Chicago').toISOString()).toBe(instant);
  });

  it('refuses text that is not a date-time', () => {
    expect(() => instantOfText('2024-07-15T9:30:00', 'America/Chicago')).toThrow(/not a date-time/);
  });
});
