/**
 * The contract suite's small city: one 311 system and one work-order system, each a
 * table of typed rows. Every connector kind stores exactly these rows (./systems.ts) and
 * the gateway must answer every query identically over each of them.
 *
 * Columns have a flat name (SQL, CSV) and, for systems that keep documents (MongoDB, REST),
 * a dotted path into a nested record, so that nested documents are read too.
 */
import type { DeclaredType } from '../../../src/source/source.js';

export type Value = string | number | null;

export interface Column {
  name: string;
  /** Where a document-shaped system keeps it. */
  path: string;
  type: DeclaredType;
}

export interface Table {
  name: string;
  columns: readonly Column[];
  rows: readonly Value[][];
}

const column = (name: string, type: DeclaredType, path = name): Column => ({ name, path, type });

/** A small deterministic generator, so the data is the same on every run and every machine. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Several spellings of the same few addresses, as departments really write them. */
const ADDRESSES = [
  ['1163 West 24th Street', '1163 W 24TH ST', '1163 w. 24th st.'],
  ['500 South Halsted Street', '500 S HALSTED ST'],
  ['42 North Main Avenue', '42 N MAIN AVE'],
  ['7 East Lake Drive', '7 E LAKE DR'],
] as const;

const SERVICES = ['PTHOLE', 'GRAFITI', 'STRTLGT', 'HOMELESS'] as const;

function naive(next: () => number, month: number): string {
  const day = 1 + Math.floor(next() * 28);
  const hour = Math.floor(next() * 24);
  const minute = Math.floor(next() * 60);
  // Every fifth value carries milliseconds, which each system must keep.
  const millis = next() < 0.2 ? `.${pad(Math.floor(next() * 999) + 1, 3)}` : '';
  return `2024-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:00${millis}`;
}

function serviceRequests(): Table {
  const next = random(311);
  const rows: Value[][] = [];
  for (let i = 1; i <= 40; i++) {
    const month = 1 + (i % 6);
    const status = pick(next, ['O', 'O', 'C', 'X']);
    const requested = naive(next, month);
    const closed = status === 'O' ? null : naive(next, Math.min(12, month + 1));
    const address = next() < 0.1 ? null : pick(next, pick(next, ADDRESSES));
    const phone = `312-555-${pad(1000 + i, 4)}`;
    const description = next() < 0.15 ? null : pick(next, [`Deep hole, call me at ${phone}`, 'Paint on the wall', `Light out since Monday; email me at caller${i}@example.com`, 'Person sleeping by the door']);
    rows.push([
      `SR-2024-${pad(i, 4)}`,
      status,
      pick(next, SERVICES),
      description,
      requested,
      closed,
      // An instant: stored with its offset (or in UTC) by every system.
      `2024-${pad(month)}-${pad(1 + (i % 27))}T${pad(i % 24)}:30:00Z`,
      address,
      Math.round((41.8 + next() / 10) * 1e6) / 1e6,
      Math.round((-87.7 + next() / 10) * 1e6) / 1e6,
      next() < 0.2 ? null : phone,
    ]);
  }
  return {
    name: 'sr',
    columns: [
      column('case_no', 'text'),
      column('status_cd', 'text'),
      column('svc', 'text'),
      column('descr', 'text'),
      column('requested', 'timestamp'),
      column('closed', 'timestamp'),
      column('modified', 'timestamptz'),
      column('addr', 'text', 'location.address'),
      column('lat', 'decimal', 'location.geo.lat'),
      column('lon', 'decimal', 'location.geo.lon'),
      column('caller_phone', 'text', 'caller.phone'),
    ],
    rows,
  };
}

function workOrders(): Table {
  const next = random(4242);
  const rows: Value[][] = [];
  for (let i = 1; i <= 60; i++) {
    const month = 1 + (i % 7);
    // Most work comes from a 311 request (some several orders for one), the rest is planned.
    const request = next() < 0.8 ? `SR-2024-${pad(1 + Math.floor(next() * 40), 4)}` : null;
    const status = pick(next, ['OPEN', 'INPROG', 'COMPLETE', 'COMPLETE', 'CANCEL']);
    rows.push([
      1000 + i,
      request,
      status,
      pick(next, ['Pothole repair', 'Graffiti removal', 'Light repair', 'Inspection']),
      naive(next, month),
      status === 'COMPLETE' ? naive(next, Math.min(12, month + 1)) : null,
      next() < 0.1 ? null : Math.round(next() * 250_000) / 100,
      Math.round(next() * 40) / 4,
      next() < 0.1 ? null : pick(next, pick(next, ADDRESSES)),
      next() < 0.3 ? null : pick(next, ['Crew 1', 'Crew 2', 'Crew 7']),
      // Positions spread over the city without drawing from \`next\`, so that the other columns stay as they were.
      i % 9 === 0 ? null : Math.round((41.8 + ((i * 37) % 100) / 1000) * 1e6) / 1e6,
      i % 9 === 0 ? null : Math.round((-87.7 + ((i * 53) % 100) / 1000) * 1e6) / 1e6,
    ]);
  }
  return {
    name: 'wo',
    columns: [
      column('wo_id', 'integer'),
      column('sr_ref', 'text'),
      column('status', 'text'),
      column('work_type', 'text'),
      column('created', 'timestamp'),
      column('completed', 'timestamp'),
      column('cost', 'decimal'),
      column('hours', 'decimal'),
      column('addr', 'text', 'site.address'),
      column('crew', 'text', 'assignment.crew'),
      column('lat', 'decimal', 'site.geo.lat'),
      column('lon', 'decimal', 'site.geo.lon'),
    ],
    rows,
  };
}

export const SERVICE_REQUESTS = serviceRequests();
export const WORK_ORDERS = workOrders();
