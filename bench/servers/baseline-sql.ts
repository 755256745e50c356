/**
 * The baseline's SQL: the least each query needs, written by hand for these tables.
 */
import { ADDRESS_STEPS } from '../../src/source/address.js';

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The canonical address spelling in SQL: the same UPPER/REPLACE/TRIM chain the gateway compiles. */
export function normalizedAddressSql(expression: string): string {
  let sql = `UPPER(' ' || ${expression} || ' ')`;
  for (const [from, to] of ADDRESS_STEPS) sql = `REPLACE(${sql}, ${literal(from)}, ${literal(to)})`;
  return `TRIM(${sql})`;
}

export const Q1_SQL = `SELECT "CASE_NO", "STATUS_CD", "SR_TYPE_CD", "DESCR_TXT", "CREATED_DT", "MODIFIED_DT", "ADDR_LINE", "ZIP_CD", "AGENCY_CD"
  FROM "SR_CASE" ORDER BY "CASE_NO" LIMIT 100`;

/** $1: service codes, $2: page size. */
export const Q2_SERVICE_REQUESTS_SQL = `SELECT "CASE_NO", "SR_TYPE_CD", "STATUS_CD", "ADDR_LINE"
  FROM "SR_CASE" WHERE "SR_TYPE_CD" = ANY($1) ORDER BY "CASE_NO" LIMIT $2`;

/** $1: the CRM case numbers in Public Works' spelling. At most 10 per case, in id order. */
export const Q2_WORK_ORDERS_SQL = `SELECT srnumber, workorderid, worktype, status, initiatedate FROM (
    SELECT srnumber, workorderid, worktype, status, initiatedate,
           row_number() OVER (PARTITION BY srnumber ORDER BY workorderid) AS n
      FROM workorder WHERE srnumber = ANY($1)
  ) w WHERE n <= 10 ORDER BY srnumber, workorderid`;

/** The permit's street address, as connectors/permits.yaml builds `originalAddress1`. */
const PERMIT_ADDRESS = `CONCAT_WS(' ', "B1_HSE_NBR", "B1_STR_DIR", "B1_STR_NAME", "B1_STR_SUFFIX")`;

/** $1: normalised addresses. At most 5 per address, latest application first, then by permit number. */
export const Q2_PERMITS_SQL = `SELECT address, "B1_ALT_ID", "B1_PER_SUB_TYPE", "B1_FILE_DD" FROM (
    SELECT address, "B1_ALT_ID", "B1_PER_SUB_TYPE", "B1_FILE_DD",
           row_number() OVER (PARTITION BY address ORDER BY "B1_FILE_DD" DESC, "B1_ALT_ID") AS n
      FROM (SELECT ${normalizedAddressSql(PERMIT_ADDRESS)} AS address, "B1_ALT_ID", "B1_PER_SUB_TYPE", "B1_FILE_DD" FROM "B1PERMIT") a
     WHERE address = ANY($1)
  ) p WHERE n <= 5 ORDER BY address, n`;

export const Q3_SQL = `SELECT "SR_TYPE_CD" AS code, date_trunc('month', "CREATED_DT")::date AS month, count(*) AS count
  FROM "SR_CASE" GROUP BY 1, 2`;
