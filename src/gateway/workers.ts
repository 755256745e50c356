/**
 * `civicgraph serve --workers N`: N processes (node:cluster) serving one port, so the gateway
 * uses every core it is given. The primary serves nothing itself: it forks the workers, which
 * run `serve()` each (each watching the mapping files and reloading on its own), restarts a
 * worker that dies while the others keep serving, and on SIGTERM/SIGINT tells every worker to
 * drain and waits for them. Rate limits and the response cache are per process unless
 * CIVICGRAPH_REDIS_URL names a Redis, through which the workers (and other instances) share them.
 */
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import type { Environment } from '../config/interpolate.js';
import { loadMappings } from '../config/load-mappings.js';
import { loadRoles, ROLES_FILE } from '../config/load-roles.js';
import { loadPublicSchema } from '../schema/sdl.js';
import { workerExecArgv } from './worker-flags.js';

/** A worker that dies sooner than this after it started is restarted only after a pause, so a crash at start cannot spin. */
const STEADY_MS = 10_000;
const RESTART_PAUSE_MS = 1_000;

export interface PrimaryOptions {
  workers: number;
  log: (line: string) => void;
  /** Told the URL once the first worker listens (workers print nothing of the kind themselves). */
  onListening: (url: string) => void;
  /** Whether a Redis shares limits and cache between the workers, for the warning when none does. */
  sharedRedis: boolean;
}

/** Runs the primary until it is told to stop; resolves with the exit code. */
export function runPrimary({ workers, log, onListening, sharedRedis }: PrimaryOptions): Promise<number> {
  if (!sharedRedis && workers > 1) {
    log(`serving with ${workers} workers and no CIVICGRAPH_REDIS_URL: each worker counts rate limits and caches answers on its own`);
  }
  const started = new Map<Worker, number>();
  let listening = false;
  let stopping = false;

  return new Promise((done) => {
    const fork = (): void => {
      const worker = cluster.fork();
      started.set(worker, Date.now());
    };
    cluster.on('listening', (worker, address) => {
      log(`worker ${worker.process.pid} is serving`);
      if (listening) return;
      listening = true;
      const host = address.address === null || address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
      onListening(`http://${host}:${address.port}/graphql`);
    });
    cluster.on('exit', (worker, code, signal) => {
      const since = started.get(worker) ?? 0;
      started.delete(worker);
      if (stopping) {
        if (started.size === 0) done(0);
        return;
      }
      if (!listening) {
        // It could not start (a broken configuration, a port in use): so would the others.
        stopping = true;
        for (const other of started.keys()) other.kill('SIGTERM');
        log(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}) before serving: stopping`);
        if (started.size === 0) done(code || 1);
        return;
      }
      log(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}): starting another`);
      if (Date.now() - since < STEADY_MS) setTimeout(() => stopping || fork(), RESTART_PAUSE_MS);
      else fork();
    });
    const stop = (): void => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      stopping = true;
      log('stopping the workers');
      // Each drains its requests in flight and closes its sources (src/cli/commands.ts).
      for (const worker of started.keys()) worker.kill('SIGTERM');
      if (started.size === 0) done(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS) });
    for (let index = 0; index < workers; index++) fork();
  });
}

/**
 * The mapping files whose source is an embedded database (pglite), which only one process may
 * open, as they read now; [] when they do not load (the workers then report why, as one process would).
 */
export async function embeddedSourceFiles(connectorsDir: string, schemasDir: string, env: Environment): Promise<string[]> {
  try {
    const { roles } = await loadRoles(join(connectorsDir, ROLES_FILE), env);
    if (!roles) return [];
    const { mappings } = await loadMappings(connectorsDir, (await loadPublicSchema(schemasDir)).schema, { env, roles });
    return mappings.filter((mapping) => mapping.source.kind === 'pglite').map((mapping) => mapping.file);
  } catch {
    return [];
  }
}
