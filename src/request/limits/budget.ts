/**
 * What one request may spend at run time, for what static analysis of the query cannot
 * know: how long it may run (a deadline) and how many rows its source queries may return,
 * all levels together. The budget lives in the request's async context, so every query the
 * request makes — resolvers, DataLoader batches, any other entry point — is held to it
 * without anyone passing it along (see ./budgeted-source.ts, which every source is wrapped in).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
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
  /** Aborts at the deadline, for work that can be stopped by a signal. */
  readonly signal: AbortSignal;
  readonly #limits: BudgetLimits;
  readonly #startedAt = Date.now();
  readonly #timer: NodeJS.Timeout | undefined;
  #rowsRead = 0;

  constructor(limits: BudgetLimits) {
    if (!(limits.deadlineMs > 0)) throw new RangeError('deadlineMs must be a positive number of milliseconds');
    if (!(limits.maxRows >= 0)) throw new RangeError('maxRows must be zero or more');
    this.#limits = limits;
    this.deadline = this.#startedAt + limits.deadlineMs;
    const controller = new AbortController();
    this.signal = controller.signal;
    // Every query in flight listens for the deadline: a page of many fields is normal, not a leak.
    setMaxListeners(0, this.signal);
    if (Number.isFinite(limits.deadlineMs)) {
      this.#timer = setTimeout(() => controller.abort(), limits.deadlineMs);
      // A deadline never keeps the process alive on its own.
      this.#timer.unref();
    }
  }

  get rowsRead(): number {
    return this.#rowsRead;
  }

  /** Throws the error the request has already earned, if any: past its deadline, or over its rows. */
  check(): void {
    if (this.signal.aborted || Date.now() >= this.deadline) throw this.deadlineExceeded();
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
    return new Promise<T>((resolve, reject) => {
      const expire = () => reject(this.deadlineExceeded());
      this.signal.addEventListener('abort', expire, { once: true });
      // Subscribed even when abandoned, so that its late failure is handled, not reported as unhandled.
      work.then(resolve, reject).finally(() => this.signal.removeEventListener('abort', expire));
      if (this.signal.aborted) expire();
    });
  }

  deadlineExceeded(): GraphQLError {
    const role = this.#limits.role === undefined ? '' : ` for role ${this.#limits.role}`;
    return new GraphQLError(`the request ran past its deadline of ${seconds(this.#limits.deadlineMs)} s${role}; the fields answered before it are returned`, {
      extensions: { code: 'DEADLINE_EXCEEDED', limit: this.#limits.deadlineMs, measured: Date.now() - this.#startedAt },
    });
  }

  /** Stops the deadline's timer; the request is over. */
  end(): void {
    clearTimeout(this.#timer);
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

const storage = new AsyncLocalStorage<RequestBudget>();

/** Runs `work` under `budget` (everything it starts, however deep, sees it) and ends the budget when `work` settles. */
export async function runWithBudget<T>(budget: RequestBudget, work: () => T | Promise<T>): Promise<T> {
  try {
    return await storage.run(budget, work);
  } finally {
    budget.end();
  }
}

/** The budget of the request this code runs for; undefined outside a request (the CLI, startup). */
export function currentBudget(): RequestBudget | undefined {
  return storage.getStore();
}

const uncounted = new AsyncLocalStorage<true>();

/**
 * Runs `work` without counting the rows it reads against the request: for what the gateway reads
 * to enforce a role's privacy rules (the keys of withheld rows). Counting them would let the
 * rows a caller is told it read, or where its row budget runs out, tell how many rows are
 * withheld from it. The deadline still holds.
 */
export function withoutCountingRows<T>(work: () => Promise<T>): Promise<T> {
  return uncounted.run(true, work);
}

/** Whether rows read here count against the request's budget. */
export function rowsCount(): boolean {
  return uncounted.getStore() !== true;
}
