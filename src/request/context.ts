import { RequestLoaders } from '../plan/by-key.js';

/** What every resolver knows about the request it serves. */
export interface RequestContext {
  /** The caller's role; the schema the request runs against was built for it. */
  role: string;
  loaders: RequestLoaders;
}

export function newRequestContext(role: string): RequestContext {
  return { role, loaders: new RequestLoaders() };
}
