import type { RequestRecord } from '../observe/request-observer.js';
import type { RequestBudget } from '../plan/budget.js';
import { RequestLoaders } from '../plan/by-key.js';
import { RequestAudit } from '../privacy/audit.js';
import type { Caller } from './authenticate.js';
import type { SpentBudget } from './rate-limit.js';

/** The caller's rate-limit budgets for this request, when roles.yaml sets `rateLimits`. */
export interface RequestRateLimit {
  windowMs: number;
  /** Who shares the budgets, for messages ('anonymous callers', 'app tokens', 'tokens'). */
  who: string;
  /** What the request spent of the caller's requests per window, at the door. */
  requests: SpentBudget;
  /** Spends the request's estimated cost from the caller's cost per window; absent where only requests are counted. */
  spendCost?: (cost: number) => Promise<SpentBudget>;
}

/** What every resolver knows about the request it serves. */
export interface RequestContext {
  /** Who is asking; the schema the request runs against was built for `caller.role`. */
  caller: Caller;
  loaders: RequestLoaders;
  audit: RequestAudit;
  rateLimit?: RequestRateLimit;
  /** The HTTP request's record, for its log line: the operation's name is noted there. */
  record?: RequestRecord;
}

export interface RequestContextOptions {
  rateLimit?: RequestRateLimit;
  /** What the request may spend at run time, where limits are enforced; every source query it makes is held to it. */
  budget?: RequestBudget;
  record?: RequestRecord;
}

export function newRequestContext(caller: Caller, { rateLimit, budget, record }: RequestContextOptions = {}): RequestContext {
  const context: RequestContext = { caller, loaders: new RequestLoaders(budget), audit: new RequestAudit() };
  if (rateLimit) context.rateLimit = rateLimit;
  if (record) context.record = record;
  return context;
}
