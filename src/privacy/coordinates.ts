/**
 * The arithmetic on coordinates that a role's answers depend on — the `round` and `snap`
 * rules, and the distance a `within` filter compares — written once over a `NumberEngine` and
 * run by JavaScript (the rules themselves, the memory engine) and compiled into SQL and MongoDB
 * expressions. Every engine then performs the same IEEE 754 double operations in the same
 * order, and each of those operations (+, −, ×, ÷, floor, comparison) is exactly rounded
 * everywhere, so a source gives bit for bit the number the gateway serves: a half-way
 * coordinate rounds the same way in PostgreSQL as in JavaScript.
 */
import type { DistanceRef } from '../source/source.js';

/** How one engine spells double-precision arithmetic. */
export interface NumberEngine<T> {
  number(value: number): T;
  add(a: T, b: T): T;
  subtract(a: T, b: T): T;
  multiply(a: T, b: T): T;
  divide(a: T, b: T): T;
  floor(value: T): T;
  /** 1 when `value` ≥ 0.5, else 0. */
  atLeastHalf(value: T): T;
  /** `use(value)`, computing `value` once where the engine can name it. */
  share(value: T, use: (shared: T) => T): T;
}

/**
 * JavaScript's Math.round — the nearest integer, a half toward +∞ — from floor and a
 * comparison, which every engine has (SQL's ROUND rounds halves away from zero, on decimals).
 * `z − floor(z)` is exact for every double, so the comparison decides as Math.round does.
 */
function mathRound<T>(engine: NumberEngine<T>, value: T): T {
  return engine.share(value, (z) => engine.share(engine.floor(z), (whole) => engine.add(whole, engine.atLeastHalf(engine.subtract(z, whole)))));
}

/** `Math.round(value × 10^decimals) / 10^decimals`. */
export function roundSteps<T>(engine: NumberEngine<T>, value: T, decimals: number): T {
  const factor = 10 ** decimals;
  return engine.divide(mathRound(engine, engine.multiply(value, engine.number(factor))), engine.number(factor));
}

/**
 * The centre of the grid cell, `cell` degrees wide, that holds the value: `(floor(v / cell) + 0.5)
 * × cell`, rounded to 10 decimals. The quotient is rounded to 9 decimals before the floor, so
 * that a point on a cell's edge (0.3 with cell 0.1, whose quotient is 2.9999999999999996 in
 * floating point) falls in the cell it starts.
 */
export function snapSteps<T>(engine: NumberEngine<T>, value: T, cell: number): T {
  const size = engine.number(cell);
  const start = engine.floor(roundSteps(engine, engine.divide(value, size), 9));
  return roundSteps(engine, engine.multiply(engine.add(start, engine.number(0.5)), size), 10);
}

/** See `DistanceRef`: (Δlatitude × metres per degree)² + (Δlongitude × metres per degree)². */
export function squaredDistanceSteps<T>(engine: NumberEngine<T>, latitude: T, longitude: T, { from, metresPerDegree }: DistanceRef['squaredDistance']): T {
  const north = engine.multiply(engine.subtract(latitude, engine.number(from.latitude)), engine.number(metresPerDegree.latitude));
  const east = engine.multiply(engine.subtract(longitude, engine.number(from.longitude)), engine.number(metresPerDegree.longitude));
  return engine.share(north, (n) => engine.share(east, (e) => engine.add(engine.multiply(n, n), engine.multiply(e, e))));
}

export const JS_NUMBERS: NumberEngine<number> = {
  number: (value) => value,
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  floor: Math.floor,
  atLeastHalf: (value) => (value >= 0.5 ? 1 : 0),
  share: (value, use) => use(value),
};

export const roundTo = (value: number, decimals: number): number => roundSteps(JS_NUMBERS, value, decimals);
export const snapTo = (value: number, cell: number): number => snapSteps(JS_NUMBERS, value, cell);
