/**
 * `serve()` as the HTTP suites start it: the repository's schemas, an ephemeral port on
 * 127.0.0.1, no file watching, audit and log lines kept where the suite can read them.
 */
import { resolve } from 'node:path';
import { serve, type RunningGateway } from '../../src/gateway/serve.js';

export interface TestGatewayOptions {
  connectorsDir?: string;
  env: Record<string, string>;
  audit?: (line: string) => void;
  log?: (line: string) => void;
  watch?: boolean;
}

export function serveGateway({ connectorsDir = resolve('connectors'), env, audit = () => undefined, log = () => undefined, watch = false }: TestGatewayOptions): Promise<RunningGateway> {
  return serve({ connectorsDir, schemasDir: resolve('schemas'), port: 0, host: '127.0.0.1', watch, env, audit, log });
}
