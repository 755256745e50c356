/**
 * Positions generalised per place, not per record. Rounding each record's own coordinates
 * (`{ round: 3 }`) is no generalisation once near-identical points are served from several
 * records: a work order lies a few metres from its 311 case, and wherever the two round to
 * different cells the true point lies on the boundary between them, pinned to metres. So a role
 * that reads a position rounded or snapped reads, for every row, the point of the row's PLACE —
 * the hundred block of its normalised address (`11XX W 24TH ST`) — the same in every dataset:
 * the mean of the raw positions of every row at that block in every dataset the role reads
 * that way (its row rules applied, so rows withheld from it never move a point it reads),
 * computed once per load by the sources' own GROUP BY, then rounded or snapped by the rule.
 *
 * No served position is then a function of a record's own coordinates: every record at one
 * block serves one point, and comparing records, datasets, joins or pages compares that one
 * point with itself. A row whose address gives no hundred block, or a block with no position,
 * serves no position (null, fail closed). Filters, orders and groups compare these points too
 * (src/plan/place-filter.ts): the gateway decides which blocks' points satisfy a condition and
 * the source selects rows by their hundred block.
 */
import type { FieldRule } from '../config/mapping.js';
import type { FieldBinding, ScalarBinding, ServedDataset } from '../plan/served-dataset.js';
import { RequestMemo } from '../plan/request-memo.js';
import type { Aggregate, Predicate, TransformRef, ValueRef } from '../source/source.js';
import { roundTo, snapTo } from './coordinates.js';

export interface Point {
  latitude: number;
  longitude: number;
}

/**
 * One role's places: the hundred block → the mean raw position of the role's rows there. It is
 * filled after the role's views are built (`fillPlaces`), and again from time to time so that a
 * block new since the load gets a point, and read by every dataset of the role; reading it before
 * it is first filled fails rather than serve a point of no place.
 */
export class PlaceTable {
  private means: ReadonlyMap<string, Point> | undefined;
  /** Counts fills, so that what is worked out from the means is worked out again after one. */
  version = 0;

  fill(means: ReadonlyMap<string, Point>): void {
    this.means = means;
    this.version++;
  }

  get isFilled(): boolean {
    return this.means !== undefined;
  }

  get filled(): ReadonlyMap<string, Point> {
    if (!this.means) throw new Error('the places of this role have not been computed yet');
    return this.means;
  }
}

/** A role's places as one dataset serves them: each block's mean generalised by the dataset's rule. */
export class ServedPlaces {
  private points: ReadonlyMap<string, Point> | undefined;
  private pointsVersion = -1;

  constructor(
    private readonly table: PlaceTable,
    private readonly generalise: (value: number) => number,
  ) {}

  /** Every block with a point, and its point as served. */
  get all(): ReadonlyMap<string, Point> {
    if (!this.points || this.pointsVersion !== this.table.version) {
      this.pointsVersion = this.table.version;
      this.points = new Map([...this.table.filled].map(([block, mean]) => [block, { latitude: this.generalise(mean.latitude), longitude: this.generalise(mean.longitude) }]));
    }
    return this.points;
  }

  pointOf(block: unknown): Point | null {
    return typeof block === 'string' ? (this.all.get(block) ?? null) : null;
  }
}

/** A position read through its place: the hundred block the source computes, and the places' points. */
export interface PlaceBinding {
  /** The hundred block of the row's normalised address, as the source computes it (what the role reads in `address`). */
  block: TransformRef;
  places: ServedPlaces;
  /** The raw coordinates, for the load-time means only: never selected, filtered or ordered on for the role. */
  raw: { latitude: ValueRef; longitude: ValueRef };
}

/** Whether an object field is a position: a Float latitude and longitude and nothing else. */
export function positionParts(binding: FieldBinding): { latitude: ScalarBinding; longitude: ScalarBinding } | undefined {
  if (binding.kind !== 'object' || binding.fields.size !== 2) return undefined;
  const latitude = binding.fields.get('latitude');
  const longitude = binding.fields.get('longitude');
  return latitude?.type.name === 'Float' && longitude?.type.name === 'Float' ? { latitude, longitude } : undefined;
}

/**
 * A position a role reads rounded or snapped, as it is served: the point of the row's place,
 * when the dataset places rows at a normalised street address; else null for every row, with
 * nothing to filter, order or group on (a per-record rounding would bring the leak back).
 */
export function placedPosition(dataset: ServedDataset, binding: Extract<FieldBinding, { kind: 'object' }>, rule: Extract<FieldRule, { kind: 'round' | 'snap' }>, table: PlaceTable): FieldBinding {
  const parts = positionParts(binding)!;
  const unplaced = new Map([...binding.fields].map(([name, scalar]) => [name, withoutServed(scalar)]));
  const address = dataset.address;
  if (!address || address.mapping.normalize !== 'address' || address.mapping.codes || address.keyFormat) {
    return { ...binding, fields: unplaced, transform: () => null };
  }
  const generalise = rule.kind === 'round' ? (value: number) => roundTo(value, rule.decimals) : (value: number) => snapTo(value, rule.cell);
  const places = new ServedPlaces(table, generalise);
  const place: PlaceBinding = { block: { transform: 'hundredBlock', of: address.ref }, places, raw: { latitude: parts.latitude.ref, longitude: parts.longitude.ref } };
  // The position's value is the block (src/plan/row-shape.ts reads `place.block`), turned into the place's point.
  return { ...binding, fields: unplaced, place, transform: (block) => places.pointOf(block) };
}

function withoutServed(scalar: ScalarBinding): ScalarBinding {
  const { served: _served, ...rest } = scalar;
  return rest;
}

/** Whether a role reads a field through its place (`placedPosition`). */
export function placeOf(binding: FieldBinding): PlaceBinding | undefined {
  return binding.kind === 'object' ? binding.place : undefined;
}

/** How long one role's means may take to compute at load before its places are served without that dataset. */
const PLACES_TIMEOUT_MS = 60_000;

/** A dataset whose rows could not be counted into a role's places at load, and why. */
export interface UnplacedDataset {
  role: string;
  dataset: ServedDataset;
  field: string;
  reason: string;
}

/**
 * Fills each role's place table from the rows of every one of its datasets that reads a
 * position through its place: per dataset, one GROUP BY on the hundred block in the source,
 * through the role's own view (row rules applied), summing the coordinates of the rows that
 * have both. At the first fill a dataset whose source cannot answer contributes nothing — its rows'
 * blocks that no other dataset knows serve no position until the places are next computed — and
 * is said so; a later fill with a dataset that cannot answer keeps the role's table as it was.
 */
export async function fillPlaces(roles: ReadonlyArray<{ role: string; datasets: readonly ServedDataset[]; places: PlaceTable }>): Promise<UnplacedDataset[]> {
  const problems: UnplacedDataset[] = [];
  await Promise.all(
    roles.map(async ({ role, datasets, places }) => {
      const contributions = datasets.flatMap((dataset) =>
        [...dataset.fields.values()].flatMap((binding) => {
          const place = placeOf(binding);
          if (!place) return [];
          // Settled at once (the queries run side by side), so that a failure waits as a value, never as an unhandled rejection.
          const answer = blockSums(dataset, place).then((rows) => ({ rows }), (error: unknown) => ({ error }));
          return [{ dataset, field: binding.name, answer }];
        }),
      );
      // Added in the datasets' order, so that a reload of the same rows gives the same means to the last bit.
      const sums = new Map<string, { latitude: number; longitude: number; count: number }>();
      let failed = false;
      for (const { dataset, field, answer } of contributions) {
        const settled = await answer;
        if ('rows' in settled) add(sums, settled.rows);
        else {
          failed = true;
          problems.push({ role, dataset, field, reason: settled.error instanceof Error ? settled.error.message : String(settled.error) });
        }
      }
      // A refill replaces the table only when every dataset answered: a source down for a moment must not take its blocks' points away.
      if (failed && places.isFilled) return;
      places.fill(new Map([...sums].map(([block, sum]) => [block, { latitude: sum.latitude / sum.count, longitude: sum.longitude / sum.count }])));
    }),
  );
  return problems;
}

async function blockSums(dataset: ServedDataset, place: PlaceBinding): Promise<Array<{ block: string; latitude: number; longitude: number; count: number }>> {
  const placed: Predicate = {
    kind: 'and',
    items: [
      { kind: 'compare', ref: place.block, op: 'isNull', value: false },
      { kind: 'compare', ref: place.raw.latitude, op: 'isNull', value: false },
      { kind: 'compare', ref: place.raw.longitude, op: 'isNull', value: false },
    ],
  };
  const aggregates: Record<string, Aggregate> = { n: { fn: 'count' }, lat: { fn: 'sum', ref: place.raw.latitude }, lon: { fn: 'sum', ref: place.raw.longitude } };
  const rows = await dataset.sourceFor(new RequestMemo()).aggregate({
    table: dataset.mapping.table,
    where: placed,
    groupBy: { b: { ref: place.block } },
    aggregates,
    deadline: Date.now() + PLACES_TIMEOUT_MS,
  });
  return rows.flatMap((row) => (typeof row.b === 'string' ? [{ block: row.b, latitude: Number(row.lat), longitude: Number(row.lon), count: Number(row.n) }] : []));
}

function add(sums: Map<string, { latitude: number; longitude: number; count: number }>, rows: ReadonlyArray<{ block: string; latitude: number; longitude: number; count: number }>): void {
  for (const row of rows) {
    if (!(row.count > 0) || !Number.isFinite(row.latitude) || !Number.isFinite(row.longitude)) continue;
    const sum = sums.get(row.block) ?? { latitude: 0, longitude: 0, count: 0 };
    sums.set(row.block, { latitude: sum.latitude + row.latitude, longitude: sum.longitude + row.longitude, count: sum.count + row.count });
  }
}
