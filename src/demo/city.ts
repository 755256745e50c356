/**
 * Riverton, IL: a fictional city on a street grid, and the shared pool of street
 * addresses every demo departmental system draws from (each spells them its own way).
 *
 * The grid: named north–south streets at fixed longitudes, with MAIN ST dividing east
 * from west; east–west streets at fixed latitudes, with WASHINGTON ST dividing north from
 * south (numbered streets to the north, named ones to the south). House numbers run 100
 * per block away from the dividing streets, even numbers on the east/north side.
 */
import { Random, WeightedIndex } from './random.js';

export const CITY = 'RIVERTON';
export const STATE = 'IL';
export const TIME_ZONE = 'America/Chicago';

const CENTER_LAT = 39.775;
const CENTER_LON = -86.15;
/** Degrees of latitude between consecutive east–west streets (~270 m). */
const LAT_STEP = 0.0024;
/** Degrees of longitude between consecutive north–south streets (~550 m). */
const LON_STEP = 0.0064;
/** North–south streets run from index -15 (west) to 15 (east); east–west ones from -30 (south) to 30 (north). */
const MAX_X = 15;
const MAX_Y = 30;

export type Direction = 'N' | 'S' | 'E' | 'W';
export type LandUse = 'residential' | 'multifamily' | 'commercial';

export interface Street {
  name: string;
  suffix: string;
  /** 'ns' streets carry N/S addresses, 'ew' streets E/W ones. */
  axis: 'ns' | 'ew';
  /** Grid index: x for 'ns' streets, y for 'ew' streets. */
  index: number;
  /** The range of cross-street indexes the street runs between (short courts and places). */
  from: number;
  to: number;
  arterial: boolean;
}

export interface Address {
  id: number;
  number: number;
  dir: Direction;
  /** Upper case, e.g. 'MAIN' or '21ST'. */
  street: string;
  /** USPS abbreviation, e.g. 'ST'. */
  suffix: string;
  zip: number;
  lat: number;
  lon: number;
  use: LandUse;
  /** Dwelling units (multi-family) or suites (commercial); 1 otherwise. */
  units: number;
  downtown: boolean;
  /** Relative likelihood that a service request is made at this address. */
  weight: number;
}

function ns(name: string, suffix: string, index: number, arterial = false, from = -MAX_Y, to = MAX_Y - 1): Street {
  return { name, suffix, axis: 'ns', index, from, to, arterial };
}
function ew(name: string, suffix: string, index: number, arterial = false, from = -MAX_X, to = MAX_X - 1): Street {
  return { name, suffix, axis: 'ew', index, from, to, arterial };
}

function ordinal(n: number): string {
  const mod100 = n % 100;
  const mod10 = n % 10;
  const suffix = mod100 >= 11 && mod100 <= 13 ? 'TH' : mod10 === 1 ? 'ST' : mod10 === 2 ? 'ND' : mod10 === 3 ? 'RD' : 'TH';
  return `${n}${suffix}`;
}

const WEST_STREETS: Array<[string, string]> = [
  ['CAPITOL', 'AVE'], ['ILLINOIS', 'ST'], ['LINCOLN', 'AVE'], ['DOUGLAS', 'ST'], ['GRAND', 'BLVD'],
  ['PRAIRIE', 'AVE'], ['WALNUT', 'ST'], ['HICKORY', 'DR'], ['SYCAMORE', 'ST'], ['WILLOW', 'RD'],
  ['CHESTNUT', 'ST'], ['MULBERRY', 'LN'], ['BLUFF', 'RD'], ['HAWTHORNE', 'DR'], ['WESTFIELD', 'PKWY'],
];
const EAST_STREETS: Array<[string, string]> = [
  ['OAK', 'ST'], ['ELM', 'ST'], ['MAPLE', 'AVE'], ['CEDAR', 'ST'], ['PINE', 'ST'],
  ['COLLEGE', 'AVE'], ['BIRCH', 'AVE'], ['STATE', 'ST'], ['RIVERSIDE', 'DR'], ['FAIRVIEW', 'RD'],
  ['DOGWOOD', 'LN'], ['MAGNOLIA', 'AVE'], ['ORCHARD', 'RD'], ['LAKEVIEW', 'DR'], ['EASTGATE', 'PKWY'],
];
const SOUTH_STREETS: Array<[string, string]> = [
  ['MARKET', 'ST'], ['MONROE', 'ST'], ['JEFFERSON', 'AVE'], ['MADISON', 'ST'], ['ADAMS', 'ST'],
  ['JACKSON', 'BLVD'], ['VAN BUREN', 'ST'], ['HARRISON', 'ST'], ['TYLER', 'ST'], ['POLK', 'ST'],
  ['TAYLOR', 'AVE'], ['FILLMORE', 'ST'], ['PIERCE', 'ST'], ['BUCHANAN', 'ST'], ['GRANT', 'AVE'],
  ['HAYES', 'ST'], ['GARFIELD', 'BLVD'], ['ARTHUR', 'ST'], ['CLEVELAND', 'AVE'], ['MCKINLEY', 'AVE'],
  ['ROOSEVELT', 'RD'], ['WILSON', 'AVE'], ['HARDING', 'ST'], ['COOLIDGE', 'ST'], ['HOOVER', 'ST'],
  ['TRUMAN', 'DR'], ['KENNEDY', 'DR'], ['MILL', 'RD'], ['RIVER', 'RD'], ['COUNTY LINE', 'RD'],
];
const ARTERIALS = new Set(['MAIN', 'WASHINGTON', 'GRAND', 'COLLEGE', 'STATE', '10TH', '20TH', 'ROOSEVELT', 'JACKSON', 'LINCOLN', 'GARFIELD']);

/** Short streets between the grid streets: courts, places and terraces a few blocks long. */
const SHORT_STREETS: Street[] = [
  { name: 'ASH', suffix: 'PL', axis: 'ns', index: 2.5, from: 4, to: 8, arterial: false },
  { name: 'LAUREL', suffix: 'CT', axis: 'ns', index: 6.5, from: 12, to: 14, arterial: false },
  { name: 'ASPEN', suffix: 'CT', axis: 'ns', index: -7.5, from: 18, to: 20, arterial: false },
  { name: 'JUNIPER', suffix: 'PL', axis: 'ns', index: -3.5, from: -9, to: -6, arterial: false },
  { name: 'CARDINAL', suffix: 'CT', axis: 'ns', index: 10.5, from: -16, to: -14, arterial: false },
  { name: 'ORIOLE', suffix: 'TER', axis: 'ew', index: 22.5, from: -10, to: -7, arterial: false },
  { name: 'HERITAGE', suffix: 'WAY', axis: 'ew', index: -12.5, from: 4, to: 9, arterial: false },
  { name: 'QUAIL RUN', suffix: 'CT', axis: 'ew', index: -24.5, from: -6, to: -4, arterial: false },
];

export function streets(): Street[] {
  const list: Street[] = [ns('MAIN', 'ST', 0, true), ew('WASHINGTON', 'ST', 0, true)];
  WEST_STREETS.forEach(([name, suffix], i) => list.push(ns(name, suffix, -(i + 1), ARTERIALS.has(name))));
  EAST_STREETS.forEach(([name, suffix], i) => list.push(ns(name, suffix, i + 1, ARTERIALS.has(name))));
  for (let n = 1; n <= MAX_Y; n++) list.push(ew(ordinal(n), 'ST', n, ARTERIALS.has(ordinal(n))));
  SOUTH_STREETS.forEach(([name, suffix], i) => list.push(ew(name, suffix, -(i + 1), ARTERIALS.has(name))));
  list.push(...SHORT_STREETS);
  return list;
}

/** The ZIP code of a grid position: downtown, then six areas by quadrant. */
export function zipAt(x: number, y: number): number {
  if (Math.abs(x) <= 3 && Math.abs(y) <= 6) return 62561;
  if (y >= 0) {
    if (Math.abs(x) <= 6) return 62562;
    return x > 0 ? 62563 : 62564;
  }
  if (Math.abs(x) <= 6) return 62565;
  return x > 0 ? 62566 : 62567;
}

export const ZIP_CODES = [62561, 62562, 62563, 62564, 62565, 62566, 62567] as const;

const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

/** The pool of `count` distinct street addresses: same pool on every run. */
export function addressPool(count = 3000): Address[] {
  const random = new Random('riverton-addresses');
  const all = streets();
  // Longer streets hold more addresses.
  const byLength = new WeightedIndex(all.map((s) => (s.to - s.from + 1) * (s.arterial ? 1.3 : 1)));
  const seen = new Set<string>();
  const pool: Address[] = [];
  while (pool.length < count) {
    const street = all[byLength.sample(random)] as Street;
    const block = random.int(street.from, street.to);
    // Blocks on the negative side of a dividing street count outward from it.
    const distance = block >= 0 ? block : -block - 1;
    const houseNumber = distance * 100 + random.int(1, 98);
    const positive = block >= 0;
    const dir: Direction = street.axis === 'ns' ? (positive ? 'N' : 'S') : positive ? 'E' : 'W';
    const key = `${houseNumber} ${dir} ${street.name} ${street.suffix}`;
    if (seen.has(key)) continue;
    seen.add(key);

    const along = (distance + (houseNumber % 100) / 100) * (positive ? 1 : -1);
    const side = houseNumber % 2 === 0 ? 1 : -1;
    let x: number;
    let y: number;
    let lat: number;
    let lon: number;
    if (street.axis === 'ns') {
      x = street.index;
      y = along;
      lat = CENTER_LAT + y * LAT_STEP;
      lon = CENTER_LON + x * LON_STEP + side * 0.00012;
    } else {
      x = along;
      y = street.index;
      lat = CENTER_LAT + y * LAT_STEP + side * 0.0001;
      lon = CENTER_LON + x * LON_STEP;
    }
    const downtown = Math.abs(x) <= 3 && Math.abs(y) <= 6;
    const commercialShare = downtown ? 0.55 : street.arterial ? 0.35 : 0.04;
    const multiShare = downtown ? 0.25 : street.arterial ? 0.2 : 0.08;
    const u = random.next();
    const use: LandUse = u < commercialShare ? 'commercial' : u < commercialShare + multiShare ? 'multifamily' : 'residential';
    const units = use === 'multifamily' ? random.weighted([[2, 4], [3, 2], [4, 3], [6, 2], [12, 1.5], [24, 1], [48, 0.5]] as const)
      : use === 'commercial' ? random.weighted([[1, 6], [2, 2], [4, 1], [10, 0.5]] as const)
      : 1;
    // A few addresses (busy corners, problem properties) draw far more requests than others.
    const weight = random.logNormal(1, 0.8) * (downtown ? 1.6 : 1) * (use === 'commercial' ? 1.3 : 1);
    pool.push({
      id: pool.length,
      number: houseNumber,
      dir,
      street: street.name,
      suffix: street.suffix,
      zip: zipAt(x, y),
      lat: round6(lat),
      lon: round6(lon),
      use,
      units,
      downtown,
      weight,
    });
  }
  return pool;
}

/** The 311 CRM's spelling: '1234 N MAIN ST'. */
export function crmAddress(a: Address): string {
  return `${a.number} ${a.dir} ${a.street} ${a.suffix}`;
}

const DIRECTION_WORDS: Record<Direction, string> = { N: 'North', S: 'South', E: 'East', W: 'West' };
const SUFFIX_WORDS: Record<string, string> = {
  ST: 'Street', AVE: 'Avenue', BLVD: 'Boulevard', RD: 'Road', DR: 'Drive', PL: 'Place', CT: 'Court',
  LN: 'Lane', PKWY: 'Parkway', WAY: 'Way', TER: 'Terrace',
};

function titleWord(word: string): string {
  if (/^\d/.test(word)) return word.toLowerCase(); // 21ST → 21st
  if (word.startsWith('MC') && word.length > 2) return `Mc${word.charAt(2)}${word.slice(3).toLowerCase()}`;
  return word.charAt(0) + word.slice(1).toLowerCase();
}

/** The Public Works system's spelling: '1234 North Main Street'. */
export function worksAddress(a: Address): string {
  const name = a.street.split(' ').map(titleWord).join(' ');
  return `${a.number} ${DIRECTION_WORDS[a.dir]} ${name} ${SUFFIX_WORDS[a.suffix] ?? a.suffix}`;
}
