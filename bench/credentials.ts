/**
 * How the benchmark identifies itself to CivicGraph. The reference answers (the ones the
 * baseline and PostGraphile must match) come from the role that owns the data, the 311
 * department, which reads every row and raw value; the same queries as the public role show
 * what privacy rules cost.
 */
import { SignJWT } from 'jose';

/** The secret the bench's CivicGraph accepts tokens signed with; it guards nothing but this local run. */
export const BENCH_JWT_SECRET = 'civicgraph-bench-jwt-secret-local-only-0123456789';
export const OWNING_DEPARTMENT = '311 Customer Service';

let departmentHeaders: Record<string, string> | undefined;

export async function prepareCredentials(): Promise<void> {
  const token = await new SignJWT({ role: 'department', department: OWNING_DEPARTMENT })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setAudience('civicgraph')
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));
  departmentHeaders = { authorization: `Bearer ${token}` };
}

/** The owning department's request headers; `prepareCredentials` must have run. */
export function owningDepartmentHeaders(): Record<string, string> {
  if (!departmentHeaders) throw new Error('prepareCredentials() has not run');
  return departmentHeaders;
}
