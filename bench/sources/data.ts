/**
 * The sources benchmark's table: work orders, deterministic, as many as asked, with the
 * column types every kind must be told or describes itself.
 */
import type { DeclaredType } from '../../src/source/source.js';

export const TABLE = 'work_orders';

export const COLUMNS: ReadonlyArray<readonly [string, DeclaredType]> = [
  ['id', 'integer'],
  ['status', 'text'],
  ['work_type', 'text'],
  ['created', 'timestamp'],
  ['cost', 'decimal'],
  ['crew', 'text'],
];

export type Value = string | number | null;

const STATUSES = ['OPEN', 'INPROG', 'COMPLETE', 'COMPLETE', 'CANCEL'];
const TYPES = ['Pothole repair', 'Graffiti removal', 'Light repair', 'Inspection', 'Tree trim'];

export function workOrders(count: number): Value[][] {
  let state = 42;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pad = (n: number) => String(n).padStart(2, '0');
  return Array.from({ length: count }, (_, i) => [
    i + 1,
    STATUSES[Math.floor(next() * STATUSES.length)]!,
    TYPES[Math.floor(next() * TYPES.length)]!,
    `2024-${pad(1 + Math.floor(next() * 12))}-${pad(1 + Math.floor(next() * 28))} ${pad(Math.floor(next() * 24))}:${pad(Math.floor(next() * 60))}:00`,
    next() < 0.1 ? null : Math.round(next() * 500_000) / 100,
    next() < 0.3 ? null : `Crew ${1 + Math.floor(next() * 9)}`,
  ]);
}
