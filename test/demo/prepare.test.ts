/**
 * prepareDemo: generates the demo systems into PGlite directories on first run, reuses them
 * afterwards, and redoes a system whose generation was interrupted or is outdated.
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA_VERSION, DEMO_SYSTEMS, generateDemo, type DemoSystem } from '../../src/demo/generate.js';
import { MARKER_FILE, prepareDemo } from '../../src/demo/prepare.js';

const SCALE = 0.01;

describe('prepareDemo', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'civicgraph-demo-test-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const markerTimes = async (): Promise<number[]> =>
    Promise.all(DEMO_SYSTEMS.map(async (s) => (await stat(join(dir, s, MARKER_FILE))).mtimeMs));

  async function count(system: DemoSystem, table: string): Promise<number> {
    const db = await PGlite.create(join(dir, system));
    try {
      const result = await db.query<{ n: number }>(`select count(*)::int as n from "${table}"`);
      return result.rows[0]!.n;
    } finally {
      await db.close();
    }
  }

  it('generates every system, then reuses them', async () => {
    const lines: string[] = [];
    await prepareDemo(dir, { scale: SCALE, log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.includes('written to'))).toHaveLength(3);
    const first = await markerTimes();
    expect(await count('crm-311', 'SR_CASE')).toBe(Math.round(105_000 * SCALE));

    const again: string[] = [];
    const started = performance.now();
    await prepareDemo(dir, { scale: SCALE, log: (l) => again.push(l) });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(again.filter((l) => l.includes('written to'))).toHaveLength(0);
    expect(await markerTimes()).toEqual(first);
  });

  it('redoes a system whose generation was interrupted or is outdated', async () => {
    await rm(join(dir, 'public-works', MARKER_FILE));
    await writeFile(join(dir, 'permits', MARKER_FILE), JSON.stringify({ version: 'riverton-demo-0', scale: SCALE, system: 'permits' }));
    const before = await markerTimes().catch(() => undefined);
    expect(before).toBeUndefined();
    const crmMarker = (await stat(join(dir, 'crm-311', MARKER_FILE))).mtimeMs;

    const lines: string[] = [];
    await prepareDemo(dir, { scale: SCALE, log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.includes('written to')).map((l) => l.split(':')[0])).toEqual(['public-works', 'permits']);
    expect((await stat(join(dir, 'crm-311', MARKER_FILE))).mtimeMs).toBe(crmMarker);
    const expected = generateDemo(SCALE);
    expect(await count('public-works', 'workorder')).toBe(expected.workOrders.length);
    expect(await count('permits', 'B1PERMIT')).toBe(expected.permits.length);
    expect(JSON.parse(await readFile(join(dir, 'permits', MARKER_FILE), 'utf8'))).toMatchObject({ version: DEMO_DATA_VERSION, scale: SCALE });
  });
});
