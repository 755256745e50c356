/**
 * A source answered in memory refuses queries that would hold more than memoryRowLimit
 * records. Probing that limit must not tell the public how many rows its rules withhold:
 * the limit counts only rows matching the whole filter, the role's row rules included.
 * Here the 311 requests come from a REST API and the limit equals the rows the public may see.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../support/engine.js';
import { SERVICE_REQUESTS, WORK_ORDERS } from '../gateway/contract/city.js';
import { openContractEngine } from '../gateway/contract/engine.js';
import { store, type Stored } from '../gateway/contract/systems.js';

const SERVICE_CODE = SERVICE_REQUESTS.columns.findIndex((column) => column.name === 'svc');
/** The contract mapping withholds homelessness requests from the public. */
const VISIBLE = SERVICE_REQUESTS.rows.filter((row) => row[SERVICE_CODE] !== 'HOMELESS').length;

let engine: Engine;
const stored: Stored[] = [];
let dir: string;

beforeAll(async () => {
  const requests = await store('rest', SERVICE_REQUESTS, 'unused');
  const works = await store('csv', WORK_ORDERS, 'unused');
  stored.push(requests, works);
  ({ engine, dir } = await openContractEngine(
    { kind: 'rest', stored: { ...requests, sourceSettings: `${requests.sourceSettings}\n  memoryRowLimit: ${VISIBLE}` } },
    { kind: 'csv', stored: works },
  ));
});

afterAll(async () => {
  await engine?.close();
  await Promise.all(stored.map((s) => s.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the memory row limit, probed by the public', () => {
  it('has rows withheld from the public to probe for', () => {
    expect(VISIBLE).toBeLessThan(SERVICE_REQUESTS.rows.length);
  });

  it('answers the public over every row it may see, though the API returns the withheld ones too', async () => {
    const result = await engine.run('{ serviceRequests(first: 1000) { totalCount } serviceRequestStats(groupBy: [STATUS]) { count suppressed } }', undefined, 'public');
    expect(result.errors).toBeUndefined();
    expect((result.data as { serviceRequests: { totalCount: number } }).serviceRequests.totalCount).toBe(VISIBLE);
  });

  it('refuses staff, who may see more rows than the limit, naming the setting', async () => {
    const result = await engine.run('{ serviceRequests(first: 1000) { totalCount } }', undefined, 'staff');
    expect(result.errors?.[0]?.message).toMatch(/needs more than \d+ records of "sr" in memory \(memoryRowLimit\)/);
  });
});
