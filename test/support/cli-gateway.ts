/**
 * `civicgraph serve` as an operator runs it: its own process, so that a test can see it
 * survive (or not), read its memory, and stop it with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';

export interface CliGateway {
  /** The GraphQL endpoint it printed. */
  url: string;
  process: ChildProcess;
  /** Everything it wrote to standard output so far (audit lines, the serving line). */
  stdout(): string;
  /** Everything it wrote to standard error so far. */
  stderr(): string;
  /** Resident memory in bytes, from /proc. */
  rss(): Promise<number>;
  /** SIGTERM, then the exit code and signal. */
  stop(): Promise<[number | null, NodeJS.Signals | null]>;
}

export interface CliGatewayOptions {
  /** The public schema's folder; the repository's `schemas/` by default. */
  schemas?: string;
  startLimitMs?: number;
  /** `--workers`: 1 (this process serves) unless a test is about several. */
  workers?: number;
  /** Reload when the mapping files change (off unless a test edits them). */
  watch?: boolean;
}

export async function startCliGateway(connectors: string, env: Record<string, string>, options: CliGatewayOptions = {}): Promise<CliGateway> {
  const { schemas = 'schemas', startLimitMs = 60_000, workers = 1, watch = false } = options;
  // vitest sets NODE_ENV=test, in which Apollo Server behaves unlike a gateway in production; an operator's shell has none.
  const { NODE_ENV: _testMode, ...operatorEnv } = process.env;
  const args = ['--import', 'tsx', 'src/cli/civicgraph.ts', 'serve', '--connectors', connectors, '--schemas', schemas, '--port', '0', '--host', '127.0.0.1', ...(watch ? [] : ['--no-watch']), '--workers', String(workers)];
  const child = spawn(process.execPath, args, {
    env: { ...operatorEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<string>((found, failed) => {
    const timer = setTimeout(() => failed(new Error(`civicgraph serve did not start within ${startLimitMs} ms:\n${stderr}`)), startLimitMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /serving GraphQL at (\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        found(match[1]!);
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      failed(new Error(`civicgraph serve exited (${code ?? signal}) before serving:\n${stderr}`));
    });
  });
  return {
    url,
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    rss: async () => Number(/^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
