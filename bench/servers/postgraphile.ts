/**
 * PostGraphile v4 over the CRM's database, the reference for what a GraphQL server costs on
 * top of the SQL: it serves the CRM's table as is (`allSrCases`, raw columns and codes).
 * Query logging is off and the pool is the same size as the other servers'.
 */
import './single-graphql.js';
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { sourceUrlFromEnv } from '../config.js';
import { listen, runChild } from './child.js';
import { POOL_SIZE } from './pool-size.js';

runChild(async () => {
  const pool = new pg.Pool({ connectionString: sourceUrlFromEnv('crm-311'), max: POOL_SIZE });
  const middleware = postgraphile(pool, 'public', {
    disableDefaultMutations: true,
    disableQueryLog: true,
    retryOnInitFail: false,
    graphqlRoute: '/graphql',
  });
  return listen(createServer(middleware), async () => {
    await middleware.release();
    await pool.end();
  });
});
