/**
 * What one request works out once and then reuses — a role's row rule resolved against the
 * rows of other datasets, the keys of rows withheld from it — and the runtime budget its
 * source queries are held to. A new memo for every request, so nothing is reused across
 * callers or goes stale between requests. Every source the request reads is reached through
 * it, so it also knows how long its answer may be cached.
 */
import type { Source } from '../source/source.js';
import type { RequestBudget } from './budget.js';
import { budgetedSource } from './budgeted-source.js';

/** What a memo and its view without counting rows share: one request's findings. */
class Findings {
  readonly values = new Map<object, Promise<unknown>>();
  cacheMaxAgeMs: number | undefined;
}

export class RequestMemo {
  #uncounted: RequestMemo | undefined;
  readonly #held = new Map<Source, Source>();

  /**
   * `budget`: what the request may spend, absent outside a request (start-up, the CLI) and where
   * limits are not enforced; `countsRows`: whether rows read through this memo count against it.
   */
  constructor(
    readonly budget?: RequestBudget,
    readonly countsRows = true,
    private readonly findings = new Findings(),
  ) {}

  /** The value computed for `key` in this request, computing it on first use. */
  once<T>(key: object, compute: () => Promise<T>): Promise<T> {
    let value = this.findings.values.get(key) as Promise<T> | undefined;
    if (!value) {
      value = compute();
      this.findings.values.set(key, value);
    }
    return value;
  }

  /**
   * `source`, which holds `dataset`'s rows, as the request reads it: held to the request's budget, if
   * it has one (./budgeted-source.ts); and the read is noted, for how long the answer may be cached.
   */
  read(dataset: { cacheMaxAgeMs: number }, source: Source): Source {
    this.findings.cacheMaxAgeMs = Math.min(this.findings.cacheMaxAgeMs ?? Infinity, dataset.cacheMaxAgeMs);
    if (!this.budget) return source;
    let held = this.#held.get(source);
    if (!held) {
      held = budgetedSource(source, this.budget, this.countsRows);
      this.#held.set(source, held);
    }
    return held;
  }

  /** The shortest `cache.maxAge` of the datasets read, their row rules' look-ups included; undefined when none was (the catalog, introspection). */
  get cacheMaxAgeMs(): number | undefined {
    return this.findings.cacheMaxAgeMs;
  }

  /**
   * The same request, for what the gateway reads to enforce a role's privacy rules (the keys of
   * withheld rows): the deadline still holds, but the rows are not counted. Counting them would let
   * the rows a caller is told it read, or where its row budget runs out, tell how many rows are
   * withheld from it.
   */
  withoutCountingRows(): RequestMemo {
    this.#uncounted ??= new RequestMemo(this.budget, false, this.findings);
    return this.#uncounted;
  }
}
