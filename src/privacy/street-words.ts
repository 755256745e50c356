/**
 * The words of a US street address, shared by the `hundredBlock` rule (which reads an address
 * field) and the `redact` rule (which finds addresses in prose), so that both recognise the same
 * streets and cut a house number to the same block.
 */

export const DIRECTIONS = ['N', 'S', 'E', 'W', 'NE', 'NW', 'SE', 'SW', 'NORTH', 'SOUTH', 'EAST', 'WEST', 'NORTHEAST', 'NORTHWEST', 'SOUTHEAST', 'SOUTHWEST'] as const;

export const STREET_TYPES = [
  'ST', 'STREET', 'AVE', 'AV', 'AVENUE', 'BLVD', 'BOULEVARD', 'RD', 'ROAD', 'DR', 'DRIVE', 'PL', 'PLACE', 'CT', 'COURT', 'LN', 'LANE',
  'PKWY', 'PARKWAY', 'TER', 'TERRACE', 'HWY', 'HIGHWAY', 'CIR', 'CIRCLE', 'WAY', 'SQ', 'SQUARE', 'PLZ', 'PLAZA', 'TRL', 'TRAIL',
  'ALY', 'ALLEY', 'EXPY', 'EXPRESSWAY',
] as const;

/** Words before a number that is a route's, not a house's: US HWY 41, ROUTE 9, I 55. */
export const ROUTE_WORDS = ['HWY', 'HIGHWAY', 'ROUTE', 'RTE', 'RT', 'CR', 'SR', 'US', 'I', 'INTERSTATE', 'COUNTY', 'STATE', 'RD', 'ROAD'] as const;

/** The hundred block of a house number, Chicago style: 1163 → '11XX', 5 → '0XX'. */
export function hundredBlockNumber(houseNumber: number): string {
  return `${Math.floor(houseNumber / 100)}XX`;
}
