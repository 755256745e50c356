/**
 * The V8 settings a gateway worker runs with. A request's rows, its objects and its answer stay
 * alive while it runs; with Node's default 16 MB semi-space the young generation fills while a few
 * requests are in flight, so each scavenge copies them and promotes most to the old generation,
 * which then needs full collections: about 15 % of Q1's CPU went to garbage collection. Twice the
 * space halves the scavenges (bench/README.md, "What profiling found"). An operator's own setting
 * of the same flag, on the command line or in NODE_OPTIONS, wins.
 */
export const WORKER_V8_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** The node arguments a worker is started with: the primary's own, and each of WORKER_V8_FLAGS the operator did not set. */
export function workerExecArgv(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((arg) => arg.split('=')[0]);
  return [...execArgv, ...WORKER_V8_FLAGS.filter((flag) => !given.includes(flag.split('=')[0]))];
}
