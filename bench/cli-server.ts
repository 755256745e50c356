/**
 * CivicGraph as a city runs it: the real command, `civicgraph serve --workers N`, in its own
 * process (a primary forking N workers on one port past one worker; one process serving itself
 * at one). It gets what the benchmark's own CivicGraph gets (servers/civicgraph.ts): the copy of
 * connectors/ that admits every load connection, the bench databases and lifted rate limits
 * through the environment, no file watching, no response cache, the same V8 settings; its
 * request log lines are dropped by level (warn) rather than composed and thrown away, and its
 * audit lines are written, to /dev/null, as the command writes them to a file.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { WORKER_V8_FLAGS } from '../src/gateway/worker-flags.js';
import { stopChild, stopperOf, type ServerProcess } from './children.js';
import { HOST } from './config.js';
import { benchConnectors } from './servers/bench-connectors.js';

const repo = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));
const READY_POLL_MS = 200;

/** Starts `bin/civicgraph.js serve --workers <workers>`; resolves once every worker answers /readyz, with all its processes as `cpuPids`. */
export async function startCli(name: string, workers: number, connections: number, env: Record<string, string>, timeoutMs: number): Promise<ServerProcess> {
  const connectors = await benchConnectors(repo('connectors'), connections);
  const args = ['serve', '--workers', String(workers), '--port', '0', '--host', HOST, '--no-watch', '--connectors', connectors.dir, '--schemas', repo('schemas')];
  const child = spawn(process.execPath, [...WORKER_V8_FLAGS, repo('bin/civicgraph.js'), ...args], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ...env,
      CIVICGRAPH_CACHE: 'off',
      // Nothing shared between the workers: each counts its own (lifted) rate limits, as the bench's other servers do.
      CIVICGRAPH_REDIS_URL: '',
      CIVICGRAPH_LOG_LEVEL: 'warn',
      CIVICGRAPH_AUDIT_LOG: '/dev/null',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = (): Promise<void> => stopChild(child).finally(() => connectors.remove());
  try {
    const started = Date.now();
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const serving = /serving GraphQL at (http:\/\/\S+?)\/graphql/.exec(output);
        if (serving) {
          clearTimeout(timer);
          resolve(serving[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited during start-up (${signal ?? `code ${code}`})`));
      });
      child.once('error', reject);
    });
    // The primary reports the URL when its first worker listens; the others may not yet.
    const workerPids = workers === 1 ? [] : await allWorkersReady(url, child.pid!, workers, started + timeoutMs);
    const stopStarted = stopperOf(name, child);
    return { name, url, pid: child.pid, cpuPids: [child.pid!, ...workerPids], stop: () => stopStarted().finally(() => connectors.remove()) };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The workers' pids, once each of them has answered /readyz 200 (a new connection per poll, which
 * node:cluster hands the workers in turn) and runs as a child of the primary. The primary has other
 * children too (tsx's esbuild service), idle under load, so the workers are known by /readyz.
 */
async function allWorkersReady(url: string, primary: number, workers: number, deadline: number): Promise<number[]> {
  const ready = new Set<number>();
  for (;;) {
    const answer = await readyz(`${url}/readyz`);
    if (answer?.worker?.pid !== undefined) ready.add(answer.worker.pid);
    const children = new Set(await childrenOf(primary));
    const workerPids = [...ready].filter((pid) => children.has(pid));
    if (workerPids.length === workers) return workerPids;
    if (Date.now() > deadline) throw new Error(`${workers} workers not ready in time: ${workerPids.length} answered /readyz`);
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/** /readyz's answer when it is 200, on a connection of its own. */
function readyz(url: string): Promise<{ worker?: { pid?: number } } | undefined> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { agent: false, headers: { connection: 'close' }, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          resolve(response.statusCode === 200 ? (JSON.parse(body) as { worker?: { pid?: number } }) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
    request.end();
  });
}

/** The processes whose parent is `pid`, from /proc/<pid>/stat (the field after the parenthesised command name and the state). */
async function childrenOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === pid) found.push(Number(entry));
  }
  return found;
}
