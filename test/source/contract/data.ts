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
