/**
 * Two servers measured in turns, for a ratio that holds on a shared machine: every round
 * measures both, the first one first in odd rounds and the other first in even rounds, so
 * that each round's ratio compares runs next to each other in time and a drift of the
 * machine's load favours neither side. Each side's figures are then the medians of its rounds.
 */
import { measure, type LoadOptions, type Measurement } from './measure.js';
import type { Request } from './queries.js';

export interface Target {
  /** For the progress log. */
  name: string;
  url: string;
  request: Request;
  expectBody: string;
  /** The server's processes, whose CPU time per request is measured. */
  pids: readonly number[];
}

/** Each target's measurements, round by round. */
export async function measureInTurns(targets: readonly [Target, Target], rounds: number, options: LoadOptions, log: (line: string) => void): Promise<[Measurement[], Measurement[]]> {
  const measured: [Measurement[], Measurement[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const side of order) {
      const { name, url, request, expectBody, pids } = targets[side]!;
      log(`measuring ${name} for ${options.durationSeconds} s (round ${round + 1} of ${rounds}) …`);
      measured[side]![round] = await measure(url, request, expectBody, options, pids);
    }
  }
  return measured;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One measurement for several rounds: the median throughput and latencies, and every round's requests and failures. */
export function medianMeasurement(rounds: readonly Measurement[]): Measurement {
  const sum = (pick: (m: Measurement) => number): number => rounds.reduce((total, m) => total + pick(m), 0);
  return {
    requestsPerSecond: median(rounds.map((m) => m.requestsPerSecond)),
    p50Ms: median(rounds.map((m) => m.p50Ms)),
    p99Ms: median(rounds.map((m) => m.p99Ms)),
    ...(rounds.every((m) => m.cpuMsPerRequest !== undefined) ? { cpuMsPerRequest: median(rounds.map((m) => m.cpuMsPerRequest!)) } : {}),
    requests: sum((m) => m.requests),
    failures: {
      non2xx: sum((m) => m.failures.non2xx),
      errors: sum((m) => m.failures.errors),
      timeouts: sum((m) => m.failures.timeouts),
      mismatches: sum((m) => m.failures.mismatches),
    },
  };
}
