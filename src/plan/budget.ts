/**
 * What one request may spend at run time, for what static analysis of the query cannot
 * know: how long it may run (a deadline) and how many rows its source queries may return,
 * all levels together. The budget travels with the request's memo (./request-memo.ts), which
 * every source is reached through (`ServedDataset.sourceFor`), so every query the request
 * makes — resolvers, DataLoader batches, row rules, any other entry point — is held to it
 * (./budgeted-source.ts).
 */
import { GraphQLError } from 'graphql';

export interface BudgetLimits {
  /** How long the request may run, in milliseconds from when its budget is made; Infinity for no limit. */
  deadlineMs: number;
  /** How many rows its find, findByKeys and aggregate results may hold together; Infinity for no limit. */
  maxRows: number;
  /** The caller's role, which the deadline error names. */
  role?: string;
}

export class RequestBudget {
  /** The instant (epoch ms) by which the request must be answered. */
  readonly deadline: number;
  readonly #limits: BudgetLimits;
  readonly #startedAt = Date.now();
  /**
   * One timer per query that waits on the deadline, cleared when the query settles. A single
   * promise rejecting at the deadline, raced by every query, would hold each race, and so each
   * query's rows, until the request ends: longer-lived rows cost the collector more than the timers.
   */
  readonly #timers = new Set<NodeJS.Timeout>();
  #ended = false;
  #rowsRead = 0;

  constructor(limits: BudgetLimits) {
    if (!(limits.deadlineMs > 0)) throw new RangeError('deadlineMs must be a positive number of milliseconds');
    if (!(limits.maxRows >= 0)) throw new RangeError('maxRows must be zero or more');
    this.#limits = limits;
    this.deadline = this.#startedAt + limits.deadlineMs;
  }

  get rowsRead(): number {
    return this.#rowsRead;
  }

  /** Throws the error the request has already earned, if any: past its deadline, or over its rows. */
  check(): void {
    if (Date.now() >= this.deadline) throw this.deadlineExceeded();
    if (this.#rowsRead > this.#limits.maxRows) throw this.#rowBudgetExceeded();
  }

  /** Counts rows a query returned; throws when the request has now read more than it may. */
  addRows(count: number): void {
    this.#rowsRead += count;
    if (this.#rowsRead > this.#limits.maxRows) throw this.#rowBudgetExceeded();
  }

  /**
   * Settles as `work` does, or rejects with the deadline error at the deadline, whichever
   * comes first: a query that cannot be stopped in time is abandoned, not waited for.
   */
  within<T>(work: Promise<T>): Promise<T> {
    if (this.#ended || !Number.isFinite(this.deadline)) return work;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        reject(this.deadlineExceeded());
      }, Math.max(0, this.deadline - Date.now()));
      // A deadline never keeps the process alive on its own.
      timer.unref();
      this.#timers.add(timer);
      // Also when abandoned, so that its late failure is not reported as unhandled.
      work.then(
        (value) => {
          this.#disarm(timer);
          resolve(value);
        },
        (error: unknown) => {
          this.#disarm(timer);
          reject(error);
        },
      );
    });
  }

  #disarm(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  deadlineExceeded(): GraphQLError {
    const role = this.#limits.role === undefined ? '' : ` for role ${this.#limits.role}`;
    return new GraphQLError(`the request ran past its deadline of ${seconds(this.#limits.deadlineMs)} s${role}; the fields answered before it are returned`, {
      extensions: { code: 'DEADLINE_EXCEEDED', limit: this.#limits.deadlineMs, measured: Date.now() - this.#startedAt },
    });
  }

  /** The request is over: nothing its deadline armed fires later, and nothing is abandoned any more. */
  end(): void {
    this.#ended = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #rowBudgetExceeded(): GraphQLError {
    return new GraphQLError(
      `this request read ${count(this.#rowsRead)} rows, more than the ${count(this.#limits.maxRows)} its role may read; ask for fewer rows (first) or fewer joined levels`,
      { extensions: { code: 'ROW_BUDGET_EXCEEDED', limit: this.#limits.maxRows, measured: this.#rowsRead } },
    );
  }
}

const seconds = (ms: number) => String(ms / 1000);
const count = (n: number) => n.toLocaleString('en-US');
