/**
 * The demo's connectors/ as the benchmark serves them: the same mapping files, and a roles.yaml
 * whose `inFlight` lets the load generator's connections all run at once. autocannon is one
 * caller (one address, one token) with many connections — exactly what `inFlight` exists to
 * refuse — so with the demo's public limit of 4, most of its 10 connections would be answered
 * 429 and the benchmark would measure refusals. Every other limit stays as the demo sets it.
 *
 * The bound is twice the connections: a measured run opens its connections the moment its
 * warm-up closes them, and the server is still finishing the requests the warm-up abandoned
 * (up to one per connection, hundreds of milliseconds each for Q2 and Q3).
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { isMappingFile } from '../../src/config/load-mappings.js';
import { ROLES_FILE } from '../../src/config/load-roles.js';

export interface BenchConnectors {
  dir: string;
  remove(): Promise<void>;
}

/** A copy of `source` in a temporary folder, with every role allowed at least twice `connections` requests in flight. */
export async function benchConnectors(source: string, connections: number): Promise<BenchConnectors> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-bench-connectors-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    for (const name of (await readdir(source)).filter(isMappingFile)) await copyFile(join(source, name), join(dir, name));
    await writeFile(join(dir, ROLES_FILE), withInFlight(await readFile(join(source, ROLES_FILE), 'utf8'), 2 * connections));
    return { dir, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** roles.yaml with `inFlight` raised to `atLeast` wherever a role would allow fewer; comments and layout are kept. */
function withInFlight(text: string, atLeast: number): string {
  const document = parseDocument(text);
  const roles = document.get('roles');
  if (!isMap(roles)) throw new Error(`${ROLES_FILE} has no roles`);
  for (const pair of roles.items) {
    const name = String(pair.key);
    const path = ['roles', name, 'limits', 'inFlight'];
    const inFlight = document.getIn(path);
    // A role that inherits nothing and sets nothing gets the built-in default (4): set it too.
    const root = document.getIn(['roles', name, 'inherits']) === undefined;
    if ((typeof inFlight === 'number' && inFlight < atLeast) || (inFlight === undefined && root)) document.setIn(path, atLeast);
  }
  return document.toString();
}
