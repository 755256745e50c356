import { describe, expect, it } from 'vitest';
import { ADDRESS_STEPS, ADDRESS_WORDS, normalizeAddress, normalizeAddressFragment } from '../../src/source/address.js';

describe('address normalisation', () => {
  it.each([
    ['1163 West 24th Street', '1163 W 24TH ST'],
    ['1163 W 24TH ST', '1163 W 24TH ST'],
    ['  1163  w. 24th st. ', '1163 W 24TH ST'],
    ['5 North East Avenue', '5 N E AVE'],
    ['77 Westfield Parkway', '77 WESTFIELD PKWY'],
    ['12 Eastgate Court, Unit 4', '12 EASTGATE CT UNIT 4'],
  ])('%j → %j', (input, canonical) => {
    expect(normalizeAddress(input)).toBe(canonical);
  });

  // normalizeAddress returns text it judges canonical untouched: that judgement must never differ from the steps.
  it('gives what the steps give, whether or not the text was canonical already', () => {
    const stepByStep = (value: string): string => {
      let text = ` ${value.toUpperCase()} `;
      for (const [from, to] of ADDRESS_STEPS) text = text.split(from).join(to);
      return text.replace(/^ +| +$/g, '');
    };
    const pieces = [...ADDRESS_WORDS.flat(), 'NORTHS', 'XEAST', 'W.', 'st', 'Ave', '24TH', '1163', '#4', "O'HARE", '(REAR)', '1/2', 'A-B', ' ', '  ', '.', ',', '\t', 'ß', 'é', ''];
    let seed = 7;
    const random = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    let canonicalSeen = 0;
    for (let i = 0; i < 20_000; i++) {
      const words = Array.from({ length: 1 + random(5) }, () => pieces[random(pieces.length)]);
      const text = words.join(random(4) === 0 ? '' : ' ');
      const expected = stepByStep(text);
      expect(normalizeAddress(text), JSON.stringify(text)).toBe(expected);
      if (expected === text) canonicalSeen++;
    }
    // Both branches were taken many times.
    expect(canonicalSeen).toBeGreaterThan(1_000);
    expect(canonicalSeen).toBeLessThan(19_000);
  });
});

describe('address fragments', () => {
  it.each([
    [' n ', ' N '],
    ['west 24th', 'W 24TH'],
    ['24th street ', '24TH ST '],
  ])('%j → %j, keeping word boundaries at the ends', (input, canonical) => {
    expect(normalizeAddressFragment(input)).toBe(canonical);
  });
});
