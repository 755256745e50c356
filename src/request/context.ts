import { RequestLoaders } from '../plan/by-key.js';
import { RequestAudit } from '../privacy/audit.js';
import type { Caller } from './authenticate.js';

/** What every resolver knows about the request it serves. */
export interface RequestContext {
  /** Who is asking; the schema the request runs against was built for `caller.role`. */
  caller: Caller;
  loaders: RequestLoaders;
  audit: RequestAudit;
}

export function newRequestContext(caller: Caller): RequestContext {
  return { caller, loaders: new RequestLoaders(), audit: new RequestAudit() };
}
