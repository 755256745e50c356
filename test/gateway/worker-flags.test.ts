/** The V8 flags a worker is started with: the gateway's, unless the operator set the same flag. */
import { describe, expect, it } from 'vitest';
import { WORKER_V8_FLAGS, workerExecArgv } from '../../src/gateway/worker-flags.js';

describe('workerExecArgv', () => {
  it('adds the gateway’s flags after the primary’s own arguments', () => {
    expect(workerExecArgv(['--import', 'tsx'])).toEqual(['--import', 'tsx', ...WORKER_V8_FLAGS]);
  });

  it('leaves a flag the operator set, on the command line or in NODE_OPTIONS, as they set it', () => {
    expect(workerExecArgv(['--max-semi-space-size=64'])).toEqual(['--max-semi-space-size=64']);
    expect(workerExecArgv([], '--max-old-space-size=512 --max-semi-space-size=8')).toEqual([]);
    expect(workerExecArgv([], '--max-old-space-size=512')).toEqual([...WORKER_V8_FLAGS]);
  });
});
