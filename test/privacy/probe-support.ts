/**
 * The world the leak probes attack: the demo on the real PostgreSQL server, a few extra
 * rows an attacker would love to find (a request whose free text carries a phone number and
 * an e-mail address, work orders spawned by withheld cases), the real gateway over HTTP,
 * credentials for every role, and the ground truth read straight from the departments'
 * databases with knex.
 */
import knex, { type Knex } from 'knex';
import { SignJWT } from 'jose';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunningGateway } from '../../src/gateway/serve.js';
import { serveGateway } from '../support/serve-gateway.js';
import { normalizeAddress } from '../../src/source/address.js';
import { demoEnvironment } from '../support/demo.js';

export const JWT_SECRET = 'leak-probe-jwt-secret-0123456789-abcdefghij';
export const APP_TOKEN = 'leak-probe-app-token-0123456789';
export const PSEUDONYM_KEY = 'leak-probe-pseudonym-key-0123456789';
export const AUDIENCE = 'civicgraph';

export const WITHHELD_CODES = ['HOMELESS', 'ELDERCHK'] as const;

/** Rows the probes add to the demo, so that the worst cases certainly exist. */
export const PLANTED = {
  /** A public pothole request whose description and resolution quote the caller's phone and e-mail. */
  chattyRequest: 'SR-24-09990001',
  chattyPhone: '(217) 555-0177',
  chattyEmail: 'wilhelmina.quarrington@example.org',
  chattyName: ['Wilhelmina', 'Quarrington'] as const,
  chattyAddress: '1163 W 24TH ST APT 3',
  chattyLat: 41.848123,
  chattyLon: -87.674321,
  /** A public noise complaint whose description quotes the caller's phones the way people type them. */
  spelledRequest: 'SR-24-09990002',
  spellings: [
    { label: 'dashed (control)', text: '217-555-0183' },
    { label: 'extension glued on', text: '217-555-0178x12' },
    { label: 'en dashes', text: '217\u2013555\u20130179' },
    { label: 'non-breaking spaces', text: '217\u00a0555\u00a00180' },
    { label: 'spaced dashes', text: '217 - 555 - 0181' },
    { label: 'slash after the area code', text: '217/555-0182' },
    { label: 'full-width digits', text: '\uff12\uff11\uff17\uff0d\uff15\uff15\uff15\uff0d\uff10\uff11\uff18\uff14' },
    { label: 'digit by digit', text: '2_1_7 5_5_5 0_1_8_5' },
    { label: 'zero-width spaces', text: '217\u200b555\u200b0186' },
  ],
  /** Work orders: one per withheld type, one pointing at a case number that does not exist, one at a public case. */
  workOrderFromHomeless: 990001,
  workOrderFromElderCheck: 990002,
  workOrderFromNowhere: 990003,
  workOrderFromPublic: 990004,
  /** A case number no system holds (a planted work order names it). */
  nonexistentCase: 'SR-24-09999999',
  /** A case number no system holds and no work order names. */
  unreferencedCase: 'SR-24-09999998',
} as const;

export interface SrRow {
  CASE_NO: string;
  SR_TYPE_CD: string;
  STATUS_CD: string;
  AGENCY_CD: string;
  ADDR_LINE: string | null;
  ZIP_CD: number | null;
  LAT_NUM: string | null;
  LON_NUM: string | null;
  DESCR_TXT: string | null;
  NOTES_TXT: string | null;
  RESOLUTION_TXT: string | null;
  CALLER_FNAME: string | null;
  CALLER_LNAME: string | null;
  CALLER_PHONE: string | null;
  CALLER_EMAIL: string | null;
}

export interface WoRow {
  workorderid: number;
  location: string | null;
  woxcoord: number | null;
  woycoord: number | null;
  srnumber: string | null;
}

export interface PermitRow {
  B1_ALT_ID: string;
  LIC_PROF_PHONE: string | null;
  B1_SPECIAL_TEXT: string | null;
}

export interface GroundTruth {
  requests: SrRow[];
  /** Requests the public may see (not of a withheld type). */
  publicRequests: SrRow[];
  withheldRequests: SrRow[];
  workOrders: WoRow[];
  permits: PermitRow[];
  /** Every value the public must never meet, with what it is. */
  secrets: Map<string, string>;
}

export interface Tokens {
  staff: string;
  dept311: string;
  deptWorks: string;
  deptPermits: string;
  forged: string;
  algNone: string;
  expired: string;
  wrongAudience: string;
  unknownRole: string;
  departmentWithoutClaim: string;
}

export interface HttpAnswer {
  status: number;
  text: string;
  body: any;
}

export interface World {
  base: string;
  env: Record<string, string>;
  audit: string[];
  logs: string[];
  truth: GroundTruth;
  tokens: Tokens;
  db: { crm: Knex; works: Knex; permits: Knex };
  running: RunningGateway;
  /** Every answer given to a public caller (anonymous or app token), for the final sweep. */
  publicAnswers: Array<{ request: string; text: string }>;
  /** An anonymous request; its answer is kept for the final sweep. */
  pub(query: string, variables?: Record<string, unknown>): Promise<HttpAnswer>;
  close(): Promise<void>;
}

const TRIVIAL = 5;

/** `24-563` from `SR-24-00000563`: the public-works system's spelling of a case number. */
export function shortCase(caseNo: string): string {
  const [, year, sequence] = /^SR-(\d{2})-(\d{8})$/.exec(caseNo)!;
  return `${year}-${Number(sequence)}`;
}

async function plant(db: { crm: Knex; works: Knex }): Promise<void> {
  await db.crm('SR_CASE').insert({
    CASE_NO: PLANTED.chattyRequest,
    SR_TYPE_CD: 'PTHOLE',
    STATUS_CD: 'C',
    CHANNEL_CD: 'P',
    AGENCY_CD: 'DOT',
    CREATED_DT: '2024-03-15 10:00:00',
    MODIFIED_DT: '2024-03-18 10:00:00',
    DUE_DT: '2024-03-22 10:00:00',
    CLOSED_DT: '2024-03-18 10:00:00',
    ADDR_LINE: PLANTED.chattyAddress,
    ZIP_CD: 60608,
    LAT_NUM: PLANTED.chattyLat,
    LON_NUM: PLANTED.chattyLon,
    DESCR_TXT: `Huge pothole in front of my house, call me at ${PLANTED.chattyPhone} or write to ${PLANTED.chattyEmail}.`,
    NOTES_TXT: `Caller ${PLANTED.chattyName.join(' ')} asked for a callback at ${PLANTED.chattyPhone}.`,
    RESOLUTION_TXT: `Pothole patched; told the resident at ${PLANTED.chattyPhone}.`,
    PHOTO_URL: null,
    CALLER_FNAME: PLANTED.chattyName[0],
    CALLER_LNAME: PLANTED.chattyName[1],
    CALLER_PHONE: PLANTED.chattyPhone,
    CALLER_EMAIL: PLANTED.chattyEmail,
  });
  await db.crm('SR_CASE').insert({
    CASE_NO: PLANTED.spelledRequest,
    SR_TYPE_CD: 'NOISE',
    STATUS_CD: 'O',
    CHANNEL_CD: 'P',
    AGENCY_CD: 'POL',
    CREATED_DT: '2024-07-04 22:30:00',
    MODIFIED_DT: '2024-07-05 09:00:00',
    DUE_DT: null,
    CLOSED_DT: null,
    ADDR_LINE: '4410 S ASHLAND AVE',
    ZIP_CD: 60609,
    LAT_NUM: 41.813377,
    LON_NUM: -87.665321,
    DESCR_TXT: `Loud music every night from the house next door. ${PLANTED.spellings.map((spelling) => `Call me at ${spelling.text}.`).join(' ')}`,
    NOTES_TXT: `Caller gave several numbers: ${PLANTED.spellings.map((spelling) => spelling.text).join(', ')}.`,
    RESOLUTION_TXT: null,
    PHOTO_URL: null,
    CALLER_FNAME: 'Bartholomew',
    CALLER_LNAME: 'Fennimore-Oyelaran',
    CALLER_PHONE: '217-555-0178',
    CALLER_EMAIL: null,
  });
  const homeless = await db.crm('SR_CASE').where({ SR_TYPE_CD: 'HOMELESS' }).whereLike('CASE_NO', 'SR-24-%').orderBy('CASE_NO').first();
  const elder = await db.crm('SR_CASE').where({ SR_TYPE_CD: 'ELDERCHK' }).orderBy('CASE_NO', 'desc').first();
  const pothole = await db.crm('SR_CASE').where({ SR_TYPE_CD: 'PTHOLE' }).whereLike('CASE_NO', 'SR-24-%').orderBy('CASE_NO').first();
  if (!homeless || !elder || !pothole) throw new Error('the demo lacks a HOMELESS, ELDERCHK or PTHOLE case');
  const workOrder = (id: number, caseNo: string, address: string | null) => ({
    workorderid: id,
    worktype: 'SIDEWALK REPAIR',
    status: 'OPEN',
    descript: 'Replace sidewalk slabs',
    dept: 'STR',
    crew: null,
    initiatedate: '2024-06-03 09:00:00',
    actualfinishdate: null,
    location: address,
    woxcoord: -87.6512345,
    woycoord: 41.8512345,
    srnumber: shortCase(caseNo),
    laborhours: null,
    totalcost: null,
  });
  await db.works('workorder').insert([
    workOrder(PLANTED.workOrderFromHomeless, homeless.CASE_NO, homeless.ADDR_LINE),
    workOrder(PLANTED.workOrderFromElderCheck, elder.CASE_NO, elder.ADDR_LINE),
    workOrder(PLANTED.workOrderFromNowhere, PLANTED.nonexistentCase, homeless.ADDR_LINE),
    workOrder(PLANTED.workOrderFromPublic, pothole.CASE_NO, pothole.ADDR_LINE),
  ]);
}

async function groundTruth(db: { crm: Knex; works: Knex; permits: Knex }): Promise<GroundTruth> {
  const requests: SrRow[] = await db.crm('SR_CASE').select(
    'CASE_NO', 'SR_TYPE_CD', 'STATUS_CD', 'AGENCY_CD', 'ADDR_LINE', 'ZIP_CD', 'LAT_NUM', 'LON_NUM', 'DESCR_TXT', 'NOTES_TXT',
    'RESOLUTION_TXT', 'CALLER_FNAME', 'CALLER_LNAME', 'CALLER_PHONE', 'CALLER_EMAIL',
  );
  const workOrders: WoRow[] = await db.works('workorder').select('workorderid', 'location', 'woxcoord', 'woycoord', 'srnumber');
  const permits: PermitRow[] = await db.permits('B1PERMIT').select('B1_ALT_ID', 'LIC_PROF_PHONE', 'B1_SPECIAL_TEXT');
  const withheld = new Set<string>(WITHHELD_CODES);
  const publicRequests = requests.filter((row) => !withheld.has(row.SR_TYPE_CD));
  const withheldRequests = requests.filter((row) => withheld.has(row.SR_TYPE_CD));

  const secrets = new Map<string, string>();
  const add = (value: string | null | undefined, what: string) => {
    if (value && value.trim().length >= TRIVIAL) secrets.set(value.trim(), what);
  };
  for (const row of requests) {
    add(row.CALLER_PHONE, `caller phone of ${row.CASE_NO}`);
    add(row.CALLER_EMAIL, `caller e-mail of ${row.CASE_NO}`);
    if (row.CALLER_FNAME && row.CALLER_LNAME) add(`${row.CALLER_FNAME} ${row.CALLER_LNAME}`, `caller name of ${row.CASE_NO}`);
    add(row.NOTES_TXT, `internal notes of ${row.CASE_NO}`);
  }
  // Their case numbers are checked apart: probes write them into their own requests (see the final sweeps).
  for (const row of withheldRequests) add(row.DESCR_TXT, `description of a withheld ${row.SR_TYPE_CD} request`);
  for (const code of WITHHELD_CODES) add(code, 'a withheld service code');
  add('Person Experiencing Homelessness', 'a withheld service name');
  add('Senior Well-Being Check', 'a withheld service name');
  add('Department of Human Services', 'the agency of withheld requests only');
  for (const row of permits) add(row.LIC_PROF_PHONE, `contractor phone of ${row.B1_ALT_ID}`);
  // A value the public may read anyway (a permit's text) is no secret: drop any collision.
  const publicText = permits.map((row) => row.B1_SPECIAL_TEXT ?? '').join('\n');
  for (const value of [...secrets.keys()]) if (publicText.includes(value)) secrets.delete(value);
  return { requests, publicRequests, withheldRequests, workOrders, permits, secrets };
}

export async function sign(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: number; audience?: string | null } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let builder = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now - 60).setExpirationTime(now + (options.expiresIn ?? 3600));
  if (options.audience !== null) builder = builder.setAudience(options.audience ?? AUDIENCE);
  return builder.sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

async function tokens(): Promise<Tokens> {
  const now = Math.floor(Date.now() / 1000);
  return {
    staff: await sign({ role: 'staff', sub: 'probe-staff' }),
    dept311: await sign({ role: 'department', department: '311 Customer Service', sub: 'probe-311-agent' }),
    deptWorks: await sign({ role: 'department', department: 'Public Works', sub: 'probe-works-agent' }),
    deptPermits: await sign({ role: 'department', department: 'Building and Inspections', sub: 'probe-permits-agent' }),
    forged: await sign({ role: 'department', department: '311 Customer Service', sub: 'mallory' }, { secret: 'not-the-gateway-secret-but-32-chars-long!!' }),
    algNone: unsignedToken({ role: 'department', department: '311 Customer Service', sub: 'mallory', aud: AUDIENCE, exp: now + 3600 }),
    expired: await sign({ role: 'department', department: '311 Customer Service', sub: 'late' }, { expiresIn: -3600 }),
    wrongAudience: await sign({ role: 'staff', sub: 'elsewhere' }, { audience: 'another-api' }),
    unknownRole: await sign({ role: 'superuser', sub: 'mallory' }),
    departmentWithoutClaim: await sign({ role: 'department', sub: 'nobody' }),
  };
}

export async function startGateway(connectorsDir: string, env: Record<string, string>, audit: string[], logs: string[]): Promise<{ running: RunningGateway; base: string }> {
  const running = await serveGateway({ connectorsDir, env, audit: (line) => audit.push(line), log: (line) => logs.push(line) });
  return { running, base: running.url.replace(/\/graphql$/, '') };
}

export async function openWorld(name: string): Promise<World> {
  const demo = await demoEnvironment('postgres', name);
  const env: Record<string, string> = {
    ...demo,
    CIVICGRAPH_JWT_SECRET: JWT_SECRET,
    CIVICGRAPH_APP_TOKENS: `${APP_TOKEN},second-app-token-xyz`,
    CIVICGRAPH_PSEUDONYM_KEY: PSEUDONYM_KEY,
    // The probes send hundreds of anonymous requests in seconds; rate limits have their own tests.
    CIVICGRAPH_RATE_LIMIT_ANONYMOUS: '100000',
  };
  const db = {
    crm: knex({ client: 'pg', connection: env.CIVICGRAPH_CRM_URL!, pool: { min: 0, max: 2 } }),
    works: knex({ client: 'pg', connection: env.CIVICGRAPH_WORKS_URL!, pool: { min: 0, max: 2 } }),
    permits: knex({ client: 'pg', connection: env.CIVICGRAPH_PERMITS_URL!, pool: { min: 0, max: 2 } }),
  };
  await plant(db);
  const truth = await groundTruth(db);
  const audit: string[] = [];
  const logs: string[] = [];
  const { running, base } = await startGateway(resolve('connectors'), env, audit, logs);
  const publicAnswers: World['publicAnswers'] = [];
  return {
    base,
    env,
    audit,
    logs,
    truth,
    tokens: await tokens(),
    db,
    running,
    publicAnswers,
    async pub(query, variables) {
      const answer = await postTo(base, query, variables);
      publicAnswers.push({ request: query + JSON.stringify(variables ?? {}), text: answer.text });
      return answer;
    },
    async close() {
      await running.stop();
      await Promise.all(Object.values(db).map((connection) => connection.destroy()));
    },
  };
}

/** A copy of connectors/ with `publication` of some datasets changed, for a second gateway. */
export async function connectorsWithPublication(changes: Record<string, 'public' | 'internal' | 'draft'>): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'civicgraph-leak-publication-'));
  await cp(resolve('connectors'), dir, { recursive: true });
  for (const [file, publication] of Object.entries(changes)) {
    const path = join(dir, file);
    const text = await readFile(path, 'utf8');
    const changed = text.replace(/^(\s+)publication: public$/m, `$1publication: ${publication}`);
    if (changed === text) throw new Error(`${file}: no "publication: public" line to change`);
    await writeFile(path, changed);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** POSTs one GraphQL request; `headers` carry credentials. */
export async function postTo(base: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/**
 * Phone numbers as the demo writes them ('217-555-0142', '(217) 555-0142') and other spellings
 * of the same, digit by digit ('5_5_5 0_1_4_2') too. Matched on text in NFKC, where full-width
 * digits are ASCII.
 */
export const PHONE_PATTERN = /(?<![\w.])(?:\(?\d{3}\)?\D{0,3})?5[ _]?5[ _]?5\D{1,3}0[ _]?1[ _]?\d[ _]?\d(?!\d)/;
/** E-mail addresses at the demo's domains, written or spelled out ('jane dot doe at example dot com', 'jane(at)example(dot)com'). */
export const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@example\.(?:com|org)\b|(?:@|\bat\b)[\s\])}]*example[\s\[({]*(?:\.|\bdot\b)[\s\])}]*(?:com|org)\b/i;
/** What must never show in an error: SQL, stacks, connection details, internal table and column names. */
export const INTERNALS =
  /\bselect\b.*\bfrom\b|\bwhere\b.*=|postgres(?:ql)?:\/\/|127\.0\.0\.1|:5432|\.ts:\d+|node_modules|\bat [\w.<>]+ \(|SR_CASE|CASE_NO|CALLER_|NOTES_TXT|DESCR_TXT|ADDR_LINE|LAT_NUM|LON_NUM|SR_TYPE_CD|B1PERMIT|LIC_PROF|srnumber|workorder\b|woxcoord|woycoord|stacktrace/i;

/**
 * The secrets (ground truth) that occur in `text`, described. A value the caller wrote in its
 * own request (`request`: the query and variables) and that an error merely quotes back is
 * not something it learned, so it is not counted.
 */
export function secretsIn(truth: GroundTruth, answer: string, request = ''): string[] {
  const found: string[] = [];
  const learned = (value: string) => !request.includes(value) && !request.includes(JSON.stringify(value).slice(1, -1));
  // Full-width look-alikes ('２１７－５５５－０１４２') read as what they look like.
  const text = answer.normalize('NFKC');
  for (const [value, what] of truth.secrets) {
    if ((text.includes(value) || text.includes(JSON.stringify(value).slice(1, -1))) && learned(value)) found.push(`${what}: ${value}`);
  }
  for (const pattern of [PHONE_PATTERN, EMAIL_PATTERN]) {
    for (const match of text.matchAll(new RegExp(pattern.source, `g${pattern.flags}`))) {
      if (learned(match[0])) found.push(`${pattern === PHONE_PATTERN ? 'a phone number' : 'an e-mail address'}: ${match[0]}`);
    }
  }
  return [...new Set(found)];
}

interface Locations {
  /** Exact values: a quoted address (a whole field), a 6-decimal coordinate. */
  needles: Array<{ needle: string; what: string }>;
  /** Every request's canonical address → the request, for addresses written in prose. */
  addresses: Map<string, string>;
}

const locationsCache = new WeakMap<GroundTruth, Locations>();

function locationsOf(truth: GroundTruth): Locations {
  let locations = locationsCache.get(truth);
  if (!locations) {
    locations = { needles: [], addresses: new Map() };
    for (const row of truth.requests) {
      if (row.ADDR_LINE) {
        for (const spelling of new Set([row.ADDR_LINE, normalizeAddress(row.ADDR_LINE)])) {
          if (spelling) locations.needles.push({ needle: `"${spelling}"`, what: `exact address of ${row.CASE_NO}: ${spelling}` });
        }
        locations.addresses.set(normalizeAddress(row.ADDR_LINE), row.CASE_NO);
      }
      for (const coordinate of [row.LAT_NUM, row.LON_NUM]) {
        if (coordinate === null) continue;
        const number = String(Number(coordinate));
        if (/\.\d{4,}$/.test(number)) locations.needles.push({ needle: number, what: `exact coordinate of ${row.CASE_NO}: ${number}` });
      }
    }
    locationsCache.set(truth, locations);
  }
  return locations;
}

/**
 * Request addresses written in `text`'s prose, in any spelling ('I live at 1163 West 24th
 * Street'): every house number with the two to five words after it, canonicalised, looked up.
 */
function proseAddressesIn(addresses: Map<string, string>, text: string): Array<{ address: string; caseNo: string }> {
  const words = normalizeAddress(text.replace(/[^\p{L}\p{N}']+/gu, ' ')).split(' ');
  const found: Array<{ address: string; caseNo: string }> = [];
  words.forEach((word, at) => {
    if (!/^\d+$/.test(word)) return;
    for (let length = 3; length <= 6; length++) {
      const address = words.slice(at, at + length).join(' ');
      const caseNo = addresses.get(address);
      if (caseNo) found.push({ address, caseNo });
    }
  });
  return found;
}

/** The exact locations of 311 requests (raw and canonical addresses, also in prose; 6-decimal coordinates) that occur in `text`. */
export function exactLocationsIn(truth: GroundTruth, text: string, request = ''): string[] {
  const { needles, addresses } = locationsOf(truth);
  const exact = needles.filter(({ needle }) => text.includes(needle) && !request.includes(needle.replace(/^"|"$/g, ''))).map(({ what }) => what);
  const asked = normalizeAddress(request);
  const prose = proseAddressesIn(addresses, text)
    .filter(({ address }) => !asked.includes(address))
    .map(({ address, caseNo }) => `exact address of ${caseNo} in prose: ${address}`);
  return [...new Set([...exact, ...prose])];
}
