/**
 * The parent side of the benchmarked servers: fork each one (TypeScript through tsx), wait
 * for the URL it reports, and stop it — politely, then by force — at the end or on error.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage } from './servers/child.js';
import { WORKER_V8_FLAGS } from '../src/gateway/worker-flags.js';

export interface ServerProcess {
  name: string;
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  pid: number | undefined;
  /** The processes whose CPU time a measurement charges to this server: its own, and its workers' where it has any. */
  cpuPids: number[];
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 8_000;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await gone;
  clearTimeout(timer);
}

/** Stops a started server; until then, a server that dies says so (it would show only as failed requests). */
export function stopperOf(name: string, child: ChildProcess): () => Promise<void> {
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`[bench] ${name} (pid ${child.pid}) exited while the benchmark ran (${signal ?? `code ${code}`})\n`);
  });
  return () => {
    stopping = true;
    return stopChild(child);
  };
}

/** Starts `bench/servers/<module>.ts <args>` in a child process; rejects if it is not ready within `timeoutMs`. */
export async function startServer(name: string, module: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<ServerProcess> {
  const entry = fileURLToPath(new URL(`./servers/${module}.ts`, import.meta.url));
  const child = fork(entry, args, {
    // Every server, the floor and PostGraphile included, gets the V8 settings `civicgraph serve` gives its workers.
    execArgv: ['--import', 'tsx', ...WORKER_V8_FLAGS],
    // Every server runs as in production (graphql-js skips its development checks there).
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
      child.on('message', (message: ChildMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message.url);
        else reject(new Error(`${name} failed to start: ${message.error}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited during start-up (${signal ?? `code ${code}`})`));
      });
      child.once('error', reject);
    });
    return { name, url, pid: child.pid, cpuPids: child.pid === undefined ? [] : [child.pid], stop: stopperOf(name, child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
