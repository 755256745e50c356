/**
 * The data every connector's contract suite reads: two small tables (service cases and
 * visits), with NULLs, decimals, calendar dates, naive date-times (millisecond edges) and
 * instants, text with LIKE wildcards and address spellings. Each connector's harness writes
 * it in its own system's way (SQL DDL, BSON documents, JSON, CSV); all must read it back
 * as the same values.
 */
import type { Row, Selection } from '../../../src/source/source.js';

export const TABLE = 'sr_case';

export type Cell = string | number | boolean | null;
/** id, title, status, priority, cost, is_open, opened_on, opened_at (naive), closed_at (UTC instant), Ward */
export const RAW_ROWS: Cell[][] = [
  [1, 'Pothole on Main St', 'O', 2, 125.5, true, '2024-03-05', '2024-03-05 14:30:00', null, 'North'],
  [2, '100% broken light', 'C', 1, 80.25, false, '2024-01-15', '2024-01-15 08:00:00.250', '2024-01-20 10:00:00', 'South'],
  [3, 'graffiti_removal request', null, null, null, null, null, null, null, null],
  [4, 'Broken Bench', 'O', 3, 1000, true, '2023-12-31', '2023-12-31 23:59:59', null, 'north'],
  [5, 'Streetlight 100 out', 'X', 2, 0.1, false, '2024-02-29', '2024-02-29 00:00:00', '2024-03-01 00:00:00.500', 'East'],
  [6, 'BROKEN hydrant!', 'C', 5, 42, null, '2024-03-05', '2024-03-05 00:00:00.007', null, null],
];

/** Every column, under lower-case aliases. */
export const ALL: Selection = {
  id: { column: 'id' },
  title: { column: 'title' },
  status: { column: 'status' },
  priority: { column: 'priority' },
  cost: { column: 'cost' },
  isOpen: { column: 'is_open' },
  openedOn: { column: 'opened_on' },
  openedAt: { column: 'opened_at' },
  closedAt: { column: 'closed_at' },
  ward: { column: 'Ward' },
};

/** What every dialect must return for ALL, ordered by id. */
export const EXPECTED_ROWS: Row[] = RAW_ROWS.map(([id, title, status, priority, cost, isOpen, openedOn, openedAt, closedAt, ward]) => ({
  id: id ?? null,
  title: title ?? null,
  status: status ?? null,
  priority: priority ?? null,
  cost: cost ?? null,
  isOpen: isOpen ?? null,
  openedOn: openedOn ?? null,
  openedAt: typeof openedAt === 'string' ? openedAt.replace(' ', 'T').replace(/\.000$/, '') : null,
  closedAt: typeof closedAt === 'string' ? new Date(closedAt.replace(' ', 'T') + 'Z') : null,
  ward: ward ?? null,
}));

export const VISITS = 'sr_visit';

/** id, case_id, address, house_no, amount, visit_on, visit_at (naive), logged_at (UTC instant), rank */
export const VISIT_ROWS: Cell[][] = [
  [1, 1, '1163 West 24th Street', 1163, 10.5, '2024-02-29', '2024-02-29 23:59:59.999', '2024-02-29 23:30:00', 2],
  [2, 1, '1163 W. 24TH ST.', 1163, 20.25, '2024-03-01', '2024-03-01 00:00:00', '2024-03-01 00:15:00', 1],
  [3, 1, '  1163  w 24th   street , ', null, null, '2024-03-03', '2024-03-03 12:00:00', null, null],
  [4, 1, 'North East Main Road', 12, 5, '2024-03-04', '2024-03-04 00:00:00', '2024-03-04 08:00:00', 1],
  [5, 2, '500 south west   parkway', 500, 100, '2023-12-31', '2023-12-31 23:00:00', '2023-12-31 23:59:59.500', 3],
  [6, 2, null, null, 0.1, '2024-01-01', '2024-01-01 00:00:00.500', '2024-01-01 00:00:00', null],
  [7, 3, 'Northwest Highway, Westwood Circle.', 7, -3.25, '2024-02-29', '2024-02-29 10:00:00', '2024-02-29 10:00:00', 5],
  [8, null, '9 Terrace Court East Lane', 9, 1, null, null, null, 1],
];

/**
 * Address spellings a connector that computes normalised address refs itself (in SQL, in a
 * MongoDB pipeline) must turn into what normalizeAddress gives: runs of spaces and
 * punctuation, direction and street words in every case and order, a quote, empty text.
 */
export const ADDRESS_SPELLINGS: readonly string[] = [
  'north  west   ',
  '1163  w 24th     street',
  '12 EAST WEST NORTH SOUTH street',
  'Street Street Street Street',
  'streets westward eastern',
  'a.b,c..d,,e',
  'West.North,South',
  '  ',
  '',
  'Southeast Northwest Southwest Northeast Terrace',
  'MiXeD CaSe AvEnUe,   Apt. 4',
  "O'Brien Boulevard",
  '1 1/2 Parkway Highway Circle Lane Court Place Drive Road Boulevard Avenue Street',
];

export const PLACES = 'sr_place';

/**
 * id, address, lat, lon, seen_on, seen_at (naive), logged_at (UTC instant): the values the
 * privacy transforms a source computes are checked on — every form of address the hundred
 * block handles, in several spellings, and coordinates on half-way points, where JavaScript's
 * rounding (half toward +∞, on doubles: 1.005 × 100 is 100.49999999999999) and SQL's ROUND
 * (half away from zero, on decimals) part ways: −87.6295 → −87.629, 1.005 → 1, 0.285 → 0.28.
 */
export const PLACE_ROWS: Cell[][] = [
  [1, '1163 West 24th Street', 41.8785, -87.6295, '2024-03-05', '2024-03-05 14:30:00', '2024-03-05 23:30:00'],
  [2, '1163 w. 24th st., apt 3', 41.8775, -87.6285, '2024-02-29', '2024-02-29 23:59:59.999', '2024-02-29 23:59:59.500'],
  [3, '1101-1105 W 24TH ST', 41.8795, -87.674321, '2024-03-01', '2024-03-01 00:00:00', '2024-03-01 00:00:00'],
  [4, '1199A W 24th St', 41.848123, -87.6301, '2023-12-31', '2023-12-31 23:59:59.500', '2023-12-31 23:59:59'],
  [5, '1163 1/2 W 24TH ST #2', 41.875, -87.63, '2024-01-01', '2024-01-01 00:00:00', '2024-01-01 00:00:00.500'],
  [6, '400 S State St Ste 200', 1.005, 0.285, '2024-03-31', '2024-03-31 12:00:00', '2024-03-31 23:00:00'],
  [7, '12345 N Main St 60614', -0.0005, 0.0005, '2024-04-01', '2024-04-01 00:00:00', '2024-04-01 00:30:00'],
  [8, '5 W River Rd', 2.675, -8.345, '2024-03-05', '2024-03-05 00:00:00', '2024-03-05 00:00:00'],
  [9, '0042 Elm St', 41.8781, -87.6298, '2024-03-06', '2024-03-06 08:00:00', '2024-03-06 08:00:00'],
  [10, '1200 US Hwy 41', 41.8751, -87.6249, '2024-03-06', '2024-03-06 09:00:00', '2024-03-06 09:00:00'],
  [11, 'W 24th St & S Main St', 0.3, 0.1, '2024-03-07', '2024-03-07 10:00:00', '2024-03-07 10:00:00'],
  [12, 'W 24th St and S Main St', 41.8785, -87.6295, '2024-03-07', '2024-03-07 11:00:00', '2024-03-07 11:00:00'],
  [13, 'Behind 1163 W 24th St', 41.8785, -87.6295, '2024-03-08', '2024-03-08 12:00:00', '2024-03-08 12:00:00'],
  [14, 'Riverton City Hall', null, -87.6295, null, null, null],
  [15, '1163', 41.8785, null, '2024-03-08', '2024-03-08 13:00:00', '2024-03-08 13:00:00'],
  [16, null, null, null, null, null, null],
  [17, '  1163   W  24TH\tST  ', 41.8779, -87.6291, '2024-03-09', '2024-03-09 14:00:00', '2024-03-09 14:00:00'],
  [18, '1163\u00a0W 24TH ST', 41.8771, -87.6299, '2024-03-09', '2024-03-09 15:00:00', '2024-03-09 15:00:00'],
  [19, '24th St', 41.88, -87.62, '2024-03-10', '2024-03-10 16:00:00', '2024-03-10 16:00:00'],
  [20, '1163 Broadway', 41.8785, -87.6295, '2024-03-10', '2024-03-10 17:00:00', '2024-03-10 17:00:00'],
  [21, '99 Main St, Unit B', 41.8786, -87.6294, '2024-03-11', '2024-03-11 18:00:00', '2024-03-11 18:00:00'],
  [22, 'W 24TH ST & 1163 S MAIN ST', 41.8784, -87.6296, '2024-03-11', '2024-03-11 19:00:00', '2024-03-11 19:00:00'],
  [23, '1163 W 24TH ST 62563', 41.8749, -87.6251, '2024-03-12', '2024-03-12 20:00:00', '2024-03-12 20:00:00'],
  [24, '500 South West Parkway', -41.8785, 87.6295, '2024-12-31', '2024-12-31 23:59:59', '2024-12-31 23:59:59'],
];

/**
 * Addresses made of the pieces the hundred block reads (house numbers, ranges, halves, units,
 * routes, crossings, ZIP codes) and of what could trip an engine (white space of every kind,
 * punctuation, regular-expression and LIKE characters, non-ASCII letters), joined at random
 * but the same on every run: a source's hundred block must be hundredBlock's for each.
 */
export const GENERATED_ADDRESSES: readonly string[] = (() => {
  const pieces = [
    '1163', '5', '0042', '100', '12345', '1163A', '1163-1167', '1163 - 1167', '1 1/2', '1/2', '-', '-5', '1163 -5A', '41-', '4//5', '1--2', '12-B',
    'W', 'N', 'NORTH', 'West', 'sw', '24TH', '5TH', 'ST', 'ST.', 'St,', 'AVE', 'Avenue', 'Street', 'RD', 'HWY', 'US', 'ROUTE', 'RT', 'RTE', '9', '41',
    'APT', 'Apt.', 'apt', '#3B', '#', '3', 'STE', '200', 'FLOOR', 'FL', 'UNIT', 'UNITED', '&', 'AND', 'and', 'AT', '/', '@', ',', 'MAIN', 'BROADWAY',
    "O'BRIEN", '62563', 'BEHIND', 'PO', 'BOX', 'ANDERSON', 'X_Y', '_', '.', '.5', "'S", '?', '$x', '(1)', '[2]', '*', '%', '\\', 'é', 'ß', 'Ｗ',
    '\u00a0', '1163\u00a0W', 'x\ny', '\t', '  ', 'ST\u0085', 'ST,APT',
  ];
  let state = 20_240_305;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: 400 }, () => {
    const words = Array.from({ length: Math.floor(next() * 8) }, () => pieces[Math.floor(next() * pieces.length)]!);
    return words.join(next() < 0.85 ? ' ' : next() < 0.5 ? ', ' : '  ');
  });
})();
