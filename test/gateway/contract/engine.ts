/** An engine over the contract's two departments, each on the kind and copy given. */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type Engine } from '../../support/engine.js';
import { serviceRequestMapping, workOrderMapping } from './mappings.js';
import type { Kind, Stored } from './systems.js';

export interface Department {
  kind: Kind;
  stored: Stored;
}

/** Writes the two mappings and roles.yaml into a fresh folder (returned, for the caller to remove) and serves them. */
export async function openContractEngine(requests: Department, works: Department): Promise<{ engine: Engine; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-contract-'));
  await copyFile('connectors/roles.yaml', join(dir, 'roles.yaml'));
  await writeFile(join(dir, 'contract-311.yaml'), serviceRequestMapping(requests.kind, requests.stored));
  await writeFile(join(dir, 'contract-works.yaml'), workOrderMapping(works.kind, works.stored));
  const engine = await openEngine({ CONTRACT_311_URL: requests.stored.connection, CONTRACT_WORKS_URL: works.stored.connection }, dir);
  return { engine, dir };
}
