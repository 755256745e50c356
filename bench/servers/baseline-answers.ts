/**
 * The baseline's answers: run the hand-written SQL with `pg` and assemble, in plain
 * JavaScript, the same JSON CivicGraph returns for the GraphQL queries in bench/queries.ts.
 * Code maps and time zones are applied exactly as the gateway applies them.
 */
import type pg from 'pg';
import { keyConverter } from '../../src/config/key-format.js';
import { normalizeAddress } from '../../src/source/address.js';
import { wallClockToInstant } from '../../src/source/timezone.js';
import { Q2_SERVICE_CODES } from '../queries.js';
import { Q1_SQL, Q2_PERMITS_SQL, Q2_SERVICE_REQUESTS_SQL, Q2_WORK_ORDERS_SQL, Q3_SQL } from './baseline-sql.js';
import { recode, systemData } from './mapping-data.js';

export interface Pools {
  crm: pg.Pool;
  works: pg.Pool;
  permits: pg.Pool;
}

const crm = systemData('crm-311');
const works = systemData('public-works');
const permits = systemData('permits');
const SR_STATUS = crm.codes('ServiceRequest', 'status');
const SR_SERVICE_NAME = crm.codes('ServiceRequest', 'serviceName');
const SR_AGENCY = crm.codes('ServiceRequest', 'agencyResponsible');
const WO_STATUS = works.codes('WorkOrder', 'status');
const PERMIT_TYPE = permits.codes('Permit', 'permitTypeMapped');

/** Public Works stores the CRM's case number 'SR-24-00012345' as '24-12345'. */
const caseNumber = keyConverter({ raw: '{year}-{seq:d}', public: 'SR-{year}-{seq:8}' });

/**
 * Stored wall-clock time → UTC instant. In JavaScript, with the gateway's own conversion:
 * PostgreSQL's AT TIME ZONE resolves the repeated autumn hour to the later instant, the
 * gateway to the earlier one, and the answers must be identical.
 */
const instant = (wallClock: string | null, zone: string): string | null => (wallClock === null ? null : wallClockToInstant(wallClock, zone).toISOString());

/** Shaped like the gateway's opaque cursors (version, query fingerprint, position), so the baseline pays a similar cost. */
const cursor = (position: number): string => Buffer.from(`c1:baselineQ1:${position}`).toString('base64url');

type Raw = Record<string, string | number | null>;

export async function q1(pools: Pools): Promise<unknown> {
  const { rows } = await pools.crm.query<Raw>(Q1_SQL);
  const edges = rows.map((row, position) => ({
    cursor: cursor(position),
    node: {
      id: row.CASE_NO,
      status: recode(SR_STATUS, row.STATUS_CD!),
      serviceCode: row.SR_TYPE_CD,
      serviceName: recode(SR_SERVICE_NAME, row.SR_TYPE_CD!),
      description: row.DESCR_TXT,
      requestedAt: instant(row.CREATED_DT as string, crm.timezone),
      updatedAt: instant(row.MODIFIED_DT as string | null, crm.timezone),
      address: row.ADDR_LINE,
      zipcode: row.ZIP_CD === null ? null : String(row.ZIP_CD),
      agencyResponsible: recode(SR_AGENCY, row.AGENCY_CD!),
    },
  }));
  return { data: { serviceRequests: { edges } } };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

export async function q2(pools: Pools, first: number): Promise<unknown> {
  const { rows: requests } = await pools.crm.query<Raw>(Q2_SERVICE_REQUESTS_SQL, [Q2_SERVICE_CODES, first]);
  const srNumbers = [...new Set(requests.flatMap((sr) => caseNumber.toRaw(String(sr.CASE_NO)) ?? []))];
  const addresses = [...new Set(requests.flatMap((sr) => (sr.ADDR_LINE === null ? [] : [normalizeAddress(String(sr.ADDR_LINE))])))];
  // The two other departments' look-ups are independent: run them concurrently.
  const [workOrders, permitRows] = await Promise.all([
    srNumbers.length > 0 ? pools.works.query<Raw>(Q2_WORK_ORDERS_SQL, [srNumbers]).then((r) => r.rows) : [],
    addresses.length > 0 ? pools.permits.query<Raw>(Q2_PERMITS_SQL, [addresses]).then((r) => r.rows) : [],
  ]);
  const ordersBySr = groupBy(workOrders, (row) => String(row.srnumber));
  const permitsByAddress = groupBy(permitRows, (row) => String(row.address));
  const nodes = requests.map((sr) => {
    const srNumber = caseNumber.toRaw(String(sr.CASE_NO));
    const address = sr.ADDR_LINE === null ? undefined : normalizeAddress(String(sr.ADDR_LINE));
    return {
      id: sr.CASE_NO,
      serviceName: recode(SR_SERVICE_NAME, sr.SR_TYPE_CD!),
      status: recode(SR_STATUS, sr.STATUS_CD!),
      address: sr.ADDR_LINE,
      workOrders: ((srNumber && ordersBySr.get(srNumber)) || []).map((wo) => ({
        id: String(wo.workorderid),
        workType: wo.worktype,
        status: recode(WO_STATUS, wo.status!),
        createdAt: instant(wo.initiatedate as string, works.timezone),
      })),
      permitsAtAddress: ((address && permitsByAddress.get(address)) || []).map((permit) => ({
        permitNumber: permit.B1_ALT_ID,
        permitTypeMapped: recode(PERMIT_TYPE, permit.B1_PER_SUB_TYPE!),
        appliedDate: permit.B1_FILE_DD,
      })),
    };
  });
  return { data: { serviceRequests: { nodes } } };
}

export async function q3(pools: Pools): Promise<unknown> {
  const { rows } = await pools.crm.query<Raw>(Q3_SQL);
  // Several codes may share one public name: merge their counts, as grouping by the public value does.
  const groups = new Map<string, { key: { serviceName: string | null; requestedAtMonth: string }; count: number }>();
  for (const row of rows) {
    const serviceName = recode(SR_SERVICE_NAME, row.code!);
    const month = String(row.month);
    const id = `${serviceName}\u0000${month}`;
    const group = groups.get(id);
    if (group) group.count += Number(row.count);
    else groups.set(id, { key: { serviceName, requestedAtMonth: month }, count: Number(row.count) });
  }
  return { data: { serviceRequestStats: [...groups.values()] } };
}
