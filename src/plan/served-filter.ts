/**
 * Conditions on values as a role reads them through a transform, and on positions. Each
 * compares the transform the source computes (`served`, see src/privacy/served-forms.ts) with
 * values the caller gives in the form the role reads — `11XX W 24TH ST`, a rounded coordinate,
 * a truncated date — so that the answer is the one filtering the served rows would give, and
 * depends on nothing the role cannot read.
 */
import type { ComparisonOp, Predicate, SourceValue, TransformRef, ValueRef } from '../source/source.js';
import { badRequest } from './bad-request.js';
import type { ComparedValue } from './served-dataset.js';

const TRUE: Predicate = { kind: 'constant', value: true };
const FALSE: Predicate = { kind: 'constant', value: false };

const compare = (ref: ValueRef, op: ComparisonOp, value: SourceValue | SourceValue[]): Predicate => ({ kind: 'compare', ref, op, value });

export function servedCondition(value: ComparedValue & { served: TransformRef }, op: ComparisonOp, operand: unknown, argument: string): Predicate {
  const { served } = value;
  if (op === 'isNull') return compare(served, op, operand as boolean);
  switch (served.transform) {
    case 'hundredBlock':
    case 'round':
    case 'snap':
      if (op === 'eq' || op === 'in') {
        const values = (op === 'in' ? (operand as SourceValue[]) : [operand as SourceValue]);
        return values.length === 0 ? FALSE : compare(served, 'in', values);
      }
      return compare(served, op, operand as SourceValue);
    case 'truncate':
      return truncatedCondition(served, value.field.type.name === 'Date', op, operand, argument);
  }
}

type Unit = 'day' | 'month' | 'year';

/**
 * A condition on a truncated date as one on its calendar bucket, the 'YYYY-MM-DD' that starts
 * it: the served value is the start of a day, month or year, so `served < x` holds exactly
 * when the bucket is before the first start at or after x, `served ≤ x` when it is at or
 * before the last start at or before x, and `served = x` only when x is itself a start.
 */
function truncatedCondition(served: Extract<TransformRef, { transform: 'truncate' }>, isDate: boolean, op: ComparisonOp, operand: unknown, argument: string): Predicate {
  const unit = served.unit;
  const day = (value: unknown): number => (isDate ? Date.parse(`${String(value)}T00:00:00Z`) : (value as Date).getTime());
  const calendar = (time: number): string => new Date(time).toISOString().slice(0, 10);
  const startOf = (time: number): number => unitStart(time, unit, 0);
  const firstStartFrom = (time: number): number => (startOf(time) === time ? time : unitStart(time, unit, 1));
  switch (op) {
    case 'eq':
    case 'in': {
      const starts = (op === 'in' ? (operand as unknown[]) : [operand]).map(day).filter((time) => startOf(time) === time).map(calendar);
      return starts.length === 0 ? FALSE : compare(served, 'in', starts);
    }
    case 'ne': {
      const time = day(operand);
      return startOf(time) === time ? compare(served, 'ne', calendar(time)) : TRUE;
    }
    case 'lt':
      return compare(served, 'lt', calendar(firstStartFrom(day(operand))));
    case 'gte':
      return compare(served, 'gte', calendar(firstStartFrom(day(operand))));
    case 'lte':
      return compare(served, 'lte', calendar(startOf(day(operand))));
    case 'gt':
      return compare(served, 'gt', calendar(startOf(day(operand))));
    default:
      throw badRequest(argument, `${op} is not available on a date read truncated`);
  }
}

/** The start (UTC) of the day, month or year holding `time`, moved by `later` units. */
function unitStart(time: number, unit: Unit, later: number): number {
  const date = new Date(time);
  const start = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps the years 0–99.
  if (unit === 'year') start.setUTCFullYear(date.getUTCFullYear() + later, 0, 1);
  else if (unit === 'month') start.setUTCFullYear(date.getUTCFullYear(), date.getUTCMonth() + later, 1);
  else start.setUTCFullYear(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + later);
  return start.getTime();
}

/** Metres per degree of latitude on a sphere of the Earth's mean radius (6,371,008.8 m). */
const METRES_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;
/** `within` is for places in a city: a radius of up to 100 km. */
export const MAX_RADIUS_METRES = 100_000;

export interface Position {
  latitude: ComparedValue;
  longitude: ComparedValue;
}

/** `within: { latitude, longitude, meters }`: the rows whose position, as the role reads it, lies within `meters` of the point. */
export function withinCondition(position: Position, circle: { latitude: number; longitude: number; meters: number }, argument: string): Predicate {
  checkLatitude(circle.latitude, `${argument}.latitude`);
  checkLongitude(circle.longitude, `${argument}.longitude`);
  if (!(circle.meters >= 0 && circle.meters <= MAX_RADIUS_METRES)) {
    throw badRequest(`${argument}.meters`, `must be a distance from 0 to ${MAX_RADIUS_METRES} meters`);
  }
  const ref: ValueRef = {
    squaredDistance: {
      latitude: position.latitude.ref,
      longitude: position.longitude.ref,
      from: { latitude: circle.latitude, longitude: circle.longitude },
      metresPerDegree: { latitude: METRES_PER_DEGREE, longitude: METRES_PER_DEGREE * Math.cos((circle.latitude * Math.PI) / 180) },
    },
  };
  return compare(ref, 'lte', circle.meters * circle.meters);
}

/** `box: { south, west, north, east }`: the rows whose position, as the role reads it, lies in the box, edges included. */
export function boxCondition(position: Position, box: { south: number; west: number; north: number; east: number }, argument: string): Predicate {
  checkLatitude(box.south, `${argument}.south`);
  checkLatitude(box.north, `${argument}.north`);
  checkLongitude(box.west, `${argument}.west`);
  checkLongitude(box.east, `${argument}.east`);
  if (box.south > box.north) throw badRequest(argument, 'south must not be north of north');
  if (box.west > box.east) throw badRequest(argument, 'west must not be east of east (a box across the 180th meridian is two boxes)');
  return {
    kind: 'and',
    items: [
      compare(position.latitude.ref, 'gte', box.south),
      compare(position.latitude.ref, 'lte', box.north),
      compare(position.longitude.ref, 'gte', box.west),
      compare(position.longitude.ref, 'lte', box.east),
    ],
  };
}

function checkLatitude(value: number, argument: string): void {
  if (!(value >= -90 && value <= 90)) throw badRequest(argument, 'must be a latitude from -90 to 90');
}

function checkLongitude(value: number, argument: string): void {
  if (!(value >= -180 && value <= 180)) throw badRequest(argument, 'must be a longitude from -180 to 180');
}
