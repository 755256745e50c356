import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizeAddressFragment } from '../../src/source/address.js';

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
