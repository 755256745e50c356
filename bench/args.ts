/** The command line of `npm run bench`. */
import { parseArgs } from 'node:util';

export interface Options {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Sequential requests per reading of the source-query counter. */
  probeRequests: number;
  /** Rounds of Q1 with and without the limits, measured in turns. */
  limitsRounds: number;
  /** Rounds of Q1 with and without the response cache, measured in turns. */
  cacheRounds: number;
  /** Rounds of Q1 on two workers and on one, measured in turns. */
  workersRounds: number;
}

export const USAGE = `usage: npm run bench -- [--duration S] [--warmup S] [--connections N] [--probe-requests N] [--limits-rounds N] [--cache-rounds N] [--workers-rounds N]
  --duration S        measured seconds per server and query (default 10)
  --warmup S          discarded warm-up seconds before each measurement (default 3)
  --connections N     concurrent HTTP connections autocannon keeps open (default 10)
  --probe-requests N  sequential requests per source-query count (default 20)
  --limits-rounds N   rounds of Q1 with and without the limits, measured in turns (default 5)
  --cache-rounds N    rounds of Q1 with and without the response cache, in turns (default: --limits-rounds)
  --workers-rounds N  rounds of Q1 on serve --workers 2 and --workers 1, in turns (default: --limits-rounds)`;

function positive(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${JSON.stringify(text)}\n${USAGE}`);
  return value;
}

export function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'probe-requests': { type: 'string' },
      'limits-rounds': { type: 'string' },
      'cache-rounds': { type: 'string' },
      'workers-rounds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const limitsRounds = Math.round(positive('limits-rounds', values['limits-rounds'], 5));
  return {
    durationSeconds: positive('duration', values.duration, 10),
    warmupSeconds: positive('warmup', values.warmup, 3, true),
    connections: Math.round(positive('connections', values.connections, 10)),
    probeRequests: Math.round(positive('probe-requests', values['probe-requests'], 20)),
    limitsRounds,
    cacheRounds: Math.round(positive('cache-rounds', values['cache-rounds'], limitsRounds)),
    workersRounds: Math.round(positive('workers-rounds', values['workers-rounds'], limitsRounds)),
  };
}
