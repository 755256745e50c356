/**
 * A gateway for the console's tests, as a city would run it: the demo's mappings on real
 * PostgreSQL, plus what a liaison trips over — a mapping file in the 311 department that does
 * not load, Public Works' system down (its URL carries a password that must never show), a
 * service request whose type code the mapping does not translate, and a MariaDB database of
 * code-compliance cases to draft a new mapping from (one table has no key).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunningGateway } from '../../src/gateway/serve.js';
import { serveGateway } from './serve-gateway.js';
import { Secret } from '../../src/config/secret.js';
import { signRoleToken } from '../../src/request/sign-token.js';
import { demoEnvironment } from './demo.js';
import { MYSQL_URL, withDatabase, withKnex } from './servers.js';

export const JWT_SECRET = 'console-test-jwt-secret-0123456789-abcdef';
/** The password in Public Works' (unreachable) URL and in the unreachable draft's: it must appear nowhere. */
export const DEAD_PASSWORD = 'hunter2-never-shown';
/** The type code the test plants in the 311 CRM, which the mapping's codes: do not translate. */
export const UNMAPPED_CODE = 'UFOSIGHT';
export const DEPARTMENT = '311 Customer Service';

export interface ConsoleGateway {
  running: RunningGateway;
  origin: string;
  connectorsDir: string;
  /** The broken file's name and the line of its mistake. */
  broken: { file: string; line: number };
  /** A bearer token for `role` (for per-department roles, of `department`). */
  token(role: string, department?: string): Promise<string>;
  stop(): Promise<void>;
}

/** `edits`: turn the console's in-place editing on for the gateway's connectors folder (CIVICGRAPH_CONSOLE_EDITS). */
export async function startConsoleGateway(name: string, options: { edits?: boolean } = {}): Promise<ConsoleGateway> {
  const env = await demoEnvironment('postgres', name);
  // A service request of a type the CRM's mapping does not know, as a CRM upgrade might add.
  await withKnex('pg', env.CIVICGRAPH_CRM_URL!, async (db) => {
    await db.raw(`create temporary table planted as select * from "SR_CASE" order by "CASE_NO" desc limit 1`);
    await db.raw(`update planted set "CASE_NO" = 'SR-99-00000001', "SR_TYPE_CD" = ?`, [UNMAPPED_CODE]);
    await db.raw(`insert into "SR_CASE" select * from planted`);
  });

  const database = `${name}_ce`;
  await withKnex('mysql2', MYSQL_URL, async (admin) => {
    await admin.raw(`drop database if exists ??`, [database]);
    await admin.raw(`create database ??`, [database]);
  });
  const ceUrl = withDatabase(MYSQL_URL, database);
  await withKnex('mysql2', ceUrl, async (db) => {
    await db.schema.createTable('CE_CASE', (table) => {
      table.string('SERVICE_REQUEST_ID', 20).primary();
      table.string('STATUS', 10);
      table.string('SERVICE_CODE', 10);
      table.dateTime('REQUESTED_DATETIME');
      table.string('ADDRESS', 120);
      table.decimal('LAT', 9, 6);
      table.decimal('LONG', 9, 6);
      table.text('INSPECTOR_NOTES');
    });
    await db('CE_CASE').insert([
      { SERVICE_REQUEST_ID: 'CE-1', STATUS: 'OPEN', SERVICE_CODE: 'WEEDS', REQUESTED_DATETIME: '2026-01-05 10:00:00', ADDRESS: '1163 W 24th St', LAT: 41.848, LONG: -87.657, INSPECTOR_NOTES: 'dog in yard' },
      { SERVICE_REQUEST_ID: 'CE-2', STATUS: 'CLOSED', SERVICE_CODE: 'JUNK', REQUESTED_DATETIME: '2026-02-11 09:30:00', ADDRESS: '200 N Main St', LAT: 41.882, LONG: -87.631, INSPECTOR_NOTES: null },
    ]);
    // No primary key, and no column named like one.
    await db.schema.createTable('CE_INSPECTION_LOG', (table) => {
      table.string('STATUS', 10);
      table.dateTime('REQUESTED_DATETIME');
      table.text('DESCRIPTION');
    });
  });

  const connectorsDir = await mkdtemp(join(tmpdir(), `civicgraph-${name}-connectors-`));
  await cp(resolve('connectors'), connectorsDir, { recursive: true });
  await rm(join(connectorsDir, 'examples'), { recursive: true, force: true });
  // A liaison's edit with a typo: the whole file is refused, with the line of the typo.
  const brokenText = [
    'name: code-compliance',
    'system: Code Compliance CMS',
    `department: ${DEPARTMENT}`,
    'liaison: { name: Dana Whitfield, email: opendata-311@riverton.example }',
    'source:',
    '  kind: mysql',
    '  connection: ${CE_DB_URL}',
    'datasets:',
    '  ServiceRequest:',
    '    title: Code compliance cases',
    '    tabel: CE_CASE',
    '',
  ].join('\n');
  await writeFile(join(connectorsDir, 'code-compliance.yaml'), brokenText);

  const running = await serveGateway({
    connectorsDir,
    env: {
      ...env,
      CIVICGRAPH_JWT_SECRET: JWT_SECRET,
      // Public Works' system is down: nothing listens on port 1.
      CIVICGRAPH_WORKS_KIND: 'postgres',
      CIVICGRAPH_WORKS_URL: `postgres://works:${DEAD_PASSWORD}@127.0.0.1:1/works`,
      CE_DB_URL: ceUrl,
      DEAD_DB_URL: `mysql://root:${DEAD_PASSWORD}@127.0.0.1:1/nothing`,
      ...(options.edits ? { CIVICGRAPH_CONSOLE_EDITS: connectorsDir } : {}),
    },
  });
  const jwt = running.gateway.roles.jwt!;
  return {
    running,
    origin: new URL(running.url).origin,
    connectorsDir,
    broken: { file: 'code-compliance.yaml', line: brokenText.split('\n').findIndex((line) => line.includes('tabel')) + 1 },
    token: (role, department) =>
      signRoleToken({ ...jwt, secret: new Secret(JWT_SECRET) }, { role, subject: `test:${role}${department ? `:${department}` : ''}`, expiresIn: '1h', ...(department ? { department } : {}) }),
    async stop() {
      await running.stop();
      await rm(connectorsDir, { recursive: true, force: true });
    },
  };
}
