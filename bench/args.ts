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
}

export const USAGE = `usage: npm run bench -- [--duration S] [--warmup S] [--connections N] [--probe-requests N] [--limits-rounds N]
  --duration S        measured seconds per server and query (default 10)
  --warmup S          discarded warm-up seconds before each measurement (default 3)
  --connections N     concurrent HTTP connections autocannon keeps open (default 10)
  --probe-requests N  sequential requests per source-query count (default 20)
  --limits-rounds N   rounds of Q1 with and without the limits, measured in turns (default 5)`;

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
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    durationSeconds: positive('duration', values.duration, 10),
    warmupSeconds: positive('warmup', values.warmup, 3, true),
    connections: Math.round(positive('connections', values.connections, 10)),
    probeRequests: Math.round(positive('probe-requests', values['probe-requests'], 20)),
    limitsRounds: Math.round(positive('limits-rounds', values['limits-rounds'], 5)),
  };
}
