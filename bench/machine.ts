/** The machine the numbers were measured on, for RESULTS.md: they mean little without it. */
import knex from 'knex';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { POSTGRES_URL } from './config.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  date: string;
  /** 1, 5 and 15 minute load averages when the run ended: a busy machine skews every number. */
  load: string;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1]!.trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

async function postgresVersion(): Promise<string> {
  const db = knex({ client: 'pg', connection: POSTGRES_URL, pool: { min: 0, max: 1 } });
  try {
    const result = await db.raw<{ rows: { server_version: string }[] }>('SHOW server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } finally {
    await db.destroy();
  }
}

export async function describeMachine(): Promise<Machine> {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: await postgresVersion(),
    date: new Date().toISOString(),
    load: loadavg().map((l) => l.toFixed(2)).join(' / '),
  };
}
