/**
 * A request's runtime budget on its own: the deadline (its signal, its error, its timer
 * ended with the request), the row count, and the async context that carries the budget to
 * every query the request starts. The budget held over real sources and GraphQL requests is
 * test/gateway/request-budget.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { currentBudget, RequestBudget, runWithBudget } from '../../src/request/limits/budget.js';

async function failure(work: () => unknown): Promise<GraphQLError> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return error as GraphQLError;
  }
  throw new Error('expected a GraphQLError');
}

describe('the deadline', () => {
  it('aborts the signal and makes every check fail with DEADLINE_EXCEEDED, its limit and the time measured', async () => {
    const budget = new RequestBudget({ deadlineMs: 100, maxRows: 10, role: 'public' });
    expect(() => budget.check()).not.toThrow();
    await sleep(150);
    expect(budget.signal.aborted).toBe(true);
    const error = await failure(() => budget.check());
    expect(error.message).toBe('the request ran past its deadline of 0.1 s for role public; the fields answered before it are returned');
    expect(error.extensions).toMatchObject({ code: 'DEADLINE_EXCEEDED', limit: 100 });
    expect(error.extensions.measured).toBeGreaterThanOrEqual(100);
    budget.end();
  });

  it('abandons work still running at the deadline', async () => {
    const budget = new RequestBudget({ deadlineMs: 100, maxRows: 10 });
    const started = Date.now();
    const error = await failure(() => budget.within(sleep(5_000)));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.message).toBe('the request ran past its deadline of 0.1 s; the fields answered before it are returned');
    budget.end();
  });

  it('lets work that ends in time settle as it does', async () => {
    const budget = new RequestBudget({ deadlineMs: 1_000, maxRows: 10 });
    await expect(budget.within(Promise.resolve(42))).resolves.toBe(42);
    await expect(budget.within(Promise.reject(new Error('its own failure')))).rejects.toThrow('its own failure');
    budget.end();
  });

  it('has no timer left once the request has ended', async () => {
    const budget = new RequestBudget({ deadlineMs: 50, maxRows: 10 });
    budget.end();
    await sleep(100);
    expect(budget.signal.aborted).toBe(false);
  });

  it('may be unlimited, and refuses limits that mean nothing', () => {
    const unlimited = new RequestBudget({ deadlineMs: Infinity, maxRows: Infinity });
    unlimited.addRows(1e9);
    expect(() => unlimited.check()).not.toThrow();
    for (const deadlineMs of [0, -1, Number.NaN]) expect(() => new RequestBudget({ deadlineMs, maxRows: 1 })).toThrow(RangeError);
    expect(() => new RequestBudget({ deadlineMs: 1, maxRows: -1 })).toThrow(RangeError);
  });
});

describe('the rows', () => {
  it('counts rows until the request has read more than it may, then fails with ROW_BUDGET_EXCEEDED, the limit and the rows read', async () => {
    const budget = new RequestBudget({ deadlineMs: 60_000, maxRows: 20_000 });
    budget.addRows(12_000);
    budget.addRows(8_000);
    expect(budget.rowsRead).toBe(20_000);
    expect(() => budget.check()).not.toThrow();
    const error = await failure(() => budget.addRows(400));
    expect(error.message).toBe('this request read 20,400 rows, more than the 20,000 its role may read; ask for fewer rows (first) or fewer joined levels');
    expect(error.extensions).toEqual({ code: 'ROW_BUDGET_EXCEEDED', limit: 20_000, measured: 20_400 });
    // Every later query of the request is refused before it runs.
    expect((await failure(() => budget.check())).extensions.code).toBe('ROW_BUDGET_EXCEEDED');
    budget.end();
  });
});

describe('the request context', () => {
  it('carries the budget to everything the request starts — timers, promises, DataLoader batches — and to nothing else', async () => {
    const budget = new RequestBudget({ deadlineMs: 60_000, maxRows: 10 });
    const seen: Array<RequestBudget | undefined> = [];
    const loader = new DataLoader(async (keys: readonly number[]) => {
      seen.push(currentBudget());
      return keys;
    });
    await runWithBudget(budget, async () => {
      seen.push(currentBudget());
      await sleep(1);
      seen.push(currentBudget());
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen.push(currentBudget());
          resolve();
        }),
      );
      await Promise.all([loader.load(1), loader.load(2)]);
    });
    expect(seen).toEqual([budget, budget, budget, budget]);
    expect(currentBudget()).toBeUndefined();
  });

  it('ends the budget when the request settles, however it settles', async () => {
    const budget = new RequestBudget({ deadlineMs: 50, maxRows: 10 });
    await expect(runWithBudget(budget, () => Promise.reject(new Error('failed')))).rejects.toThrow('failed');
    await sleep(100);
    expect(budget.signal.aborted).toBe(false);
  });
});
