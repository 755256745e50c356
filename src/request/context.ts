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
}

/** `budget`: what the request may spend at run time, where limits are enforced; every source query it makes is held to it. */
export function newRequestContext(caller: Caller, rateLimit?: RequestRateLimit, budget?: RequestBudget): RequestContext {
  const context: RequestContext = { caller, loaders: new RequestLoaders(budget), audit: new RequestAudit() };
  if (rateLimit) context.rateLimit = rateLimit;
  return context;
}
