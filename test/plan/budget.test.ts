/**
 * A request's runtime budget on its own: the deadline (its error, its timer ended with the
 * request), the row count, and the request memo that holds every query made through it to
 * the budget. The budget held over real sources and GraphQL requests is
 * test/gateway/request-budget.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/plan/budget.js';
import { RequestMemo } from '../../src/plan/request-memo.js';
import type { FindQuery, Source } from '../../src/source/source.js';

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
  it('makes every check fail with DEADLINE_EXCEEDED, its limit and the time measured', async () => {
    const budget = new RequestBudget({ deadlineMs: 100, maxRows: 10, role: 'public' });
    expect(() => budget.check()).not.toThrow();
    await sleep(150);
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

  it('stops its deadline once the request has ended: nothing it armed fires later', async () => {
    const budget = new RequestBudget({ deadlineMs: 50, maxRows: 10 });
    await budget.within(sleep(1));
    budget.end();
    await expect(budget.within(sleep(100).then(() => 'settled'))).resolves.toBe('settled');
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

describe('the request memo', () => {
  const DATASET = { cacheMaxAgeMs: 60_000 };
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i }));
  function countingSource() {
    const asked: Array<number | undefined> = [];
    const source = {
      name: 'counted',
      pushdown: {} as Source['pushdown'],
      find: async (query: FindQuery) => {
        asked.push(query.deadline);
        return rows(query.limit);
      },
    } as unknown as Source;
    return { source, asked };
  }
  const find = (source: Source, limit: number) => source.find({ table: 't', select: {}, where: undefined, orderBy: [], limit, offset: 0 } as unknown as FindQuery);

  it('holds every query made through it to its budget: the deadline is sent along, and the rows count', async () => {
    const { source, asked } = countingSource();
    const budget = new RequestBudget({ deadlineMs: 60_000, maxRows: 10 });
    const memo = new RequestMemo(budget);
    const held = memo.read(DATASET, source);
    expect(memo.read(DATASET, source)).toBe(held);
    expect(new RequestMemo().read(DATASET, source)).toBe(source);
    await find(held, 6);
    expect(asked).toEqual([budget.deadline]);
    expect(budget.rowsRead).toBe(6);
    expect((await failure(() => find(held, 6))).extensions.code).toBe('ROW_BUDGET_EXCEEDED');
    // Over its rows, the request asks the source for nothing more.
    expect((await failure(() => find(held, 1))).extensions.code).toBe('ROW_BUDGET_EXCEEDED');
    expect(asked).toHaveLength(2);
    budget.end();
  });

  it('without counting rows, shares the budget, its deadline and what the request worked out, but adds no rows', async () => {
    const { source } = countingSource();
    const budget = new RequestBudget({ deadlineMs: 60_000, maxRows: 10 });
    const memo = new RequestMemo(budget);
    const uncounted = memo.withoutCountingRows();
    expect(uncounted.budget).toBe(budget);
    expect(uncounted.countsRows).toBe(false);
    expect(memo.withoutCountingRows()).toBe(uncounted);
    const key = {};
    const computed = memo.once(key, async () => 'rule');
    expect(uncounted.once(key, async () => 'again')).toBe(computed);
    await find(uncounted.read({ cacheMaxAgeMs: 5_000 }, source), 50);
    expect(budget.rowsRead).toBe(0);
    // What the privacy rules read still bounds how long the answer may be cached.
    expect(memo.cacheMaxAgeMs).toBe(5_000);
    budget.end();
  });

  it('refuses a query past the deadline before it reaches the source', async () => {
    const { source, asked } = countingSource();
    const budget = new RequestBudget({ deadlineMs: 20, maxRows: 10 });
    await sleep(40);
    expect((await failure(() => find(new RequestMemo(budget).read(DATASET, source), 1))).extensions.code).toBe('DEADLINE_EXCEEDED');
    expect(asked).toEqual([]);
    budget.end();
  });
});
