/**
 * A dataset's quality profile (./profile-types.ts), for the liaison who reviews it before it is
 * published: per field the nulls, distinct values and extremes; codes the mapping does not
 * translate; dates in the future or from before the system existed; addresses that do not
 * normalise; keys that repeat; how many of each join's references find their target; records
 * per month and the most frequent codes.
 *
 * Every figure is a count or an aggregate the dataset's source computes (GROUP BY, `$group`, or
 * the memory engine for REST and CSV sources), through the role's view of the dataset: its
 * source applies the role's row rules, and only values the role reads raw — or the transformed
 * values its source computes — are measured. No statement returns rows, and none returns more
 * groups than JOIN_PAGE (./joins.ts). The profile is computed on the view of the owning
 * department's liaison (src/privacy/quality-access.ts says why): the department's own view of
 * its data, which is what the liaison must review.
 */
import type { RolesConfig } from '../../config/roles.js';
import type { RequestAudit } from '../../privacy/audit.js';
import { mayProfile, qualityRole } from '../../privacy/quality-access.js';
import type { RoleView } from '../../schema/role-schema.js';
import { RequestMemo } from '../request-memo.js';
import type { ServedDataset } from '../served-dataset.js';
import { measureAddresses } from './addresses.js';
import { measureCodes } from './codes.js';
import { qualityError, QueryTally, type Measure } from './context.js';
import { existedSince, measureDates, recordsPerMonth } from './dates.js';
import { measureFields } from './fields.js';
import { measureJoins } from './joins.js';
import { measureKey } from './keys.js';
import type { DatasetQuality, QualityProfile } from './profile-types.js';

export type * from './profile-types.js';

export interface ProfileOptions {
  /** The concrete role whose view `view` is, e.g. `liaison:public-works`. */
  role: string;
  /** The instant future dates are measured against; now by default. */
  now?: Date;
  /** The request's memo, shared with its other work (row rules resolved once); a new one by default. */
  memo?: RequestMemo;
  /** Where the fields read raw that the public cannot are recorded, as a GraphQL request records them. */
  audit?: RequestAudit;
}

/** Thrown for a view the profile must not be computed on. */
export class QualityAccessError extends Error {}

/**
 * The profile of one dataset as the role of `view` reads it. Refused for a view whose statistics
 * are suppressed (`minimumCellCount`): a profile gives exact counts of single rows.
 */
export async function profileDataset(view: ServedDataset, options: ProfileOptions): Promise<QualityProfile> {
  if (view.minimumCellCount !== undefined) {
    throw new QualityAccessError(`${view.type.name}: role ${options.role} reads this dataset's statistics suppressed, so it gets no quality profile`);
  }
  const now = options.now ?? new Date();
  const memo = options.memo ?? new RequestMemo();
  const tally = new QueryTally();
  const measure: Measure = { view, source: tally.wrap(view.sourceFor(memo)), memo, tally, now };
  const { rows, fields } = await measureFields(measure);
  const existed = existedSince(measure, fields);
  const profile: QualityProfile = {
    dataset: view.type.name,
    title: view.mapping.metadata.title,
    department: view.connector.department,
    source: view.connector.name,
    role: options.role,
    computedAt: now.toISOString(),
    rows,
    fields,
    codes: await measureCodes(measure),
    existedSince: existed?.since ?? null,
    dates: await measureDates(measure, existed),
    addresses: await measureAddresses(measure),
    key: await measureKey(measure, rows, fields),
    joins: await measureJoins(measure),
    recordsPerMonth: await recordsPerMonth(measure),
    queries: { count: 0, largestResult: 0 },
  };
  profile.queries = { count: tally.count, largestResult: tally.largestResult };
  // Extremes and codes are values of every field measured raw; audited as a read of one row each.
  options.audit?.record(view, fields.filter((field) => field.read === 'raw').map((field) => field.field.split('.')[0]!), 1);
  return profile;
}

/**
 * The profiles of the datasets of `views` that `role` may profile (its own department's, when
 * it is the liaison or inherits from it), each computed on the role's own view; a dataset
 * whose source fails gets its error, naming the source, and the others still compute.
 */
export async function profileDatasets(views: readonly RoleView[], roles: RolesConfig, role: string, options: Omit<ProfileOptions, 'role'> & { datasets?: readonly string[] } = {}): Promise<DatasetQuality[]> {
  const own = views.find((view) => view.role === role)?.datasets ?? [];
  const wanted = own.filter((view) => mayProfile(roles, role, view.connector.department) && (!options.datasets || options.datasets.includes(view.type.name)));
  return Promise.all(
    wanted.map(async (view): Promise<DatasetQuality> => {
      const about = { dataset: view.type.name, department: view.connector.department, source: view.connector.name };
      try {
        return { ...about, profile: await profileDataset(view, { ...options, role }) };
      } catch (error) {
        return { ...about, error: qualityError(error, view.connector.name) };
      }
    }),
  );
}

/** Every department's datasets, each profiled as its own liaison: what `civicgraph quality` shows. */
export async function profileEveryDepartment(views: readonly RoleView[], roles: RolesConfig, options: Omit<ProfileOptions, 'role'> & { datasets?: readonly string[] } = {}): Promise<DatasetQuality[]> {
  const departments = [...new Set(views.flatMap((view) => view.datasets.map((dataset) => dataset.connector.department)))].sort();
  const results = await Promise.all(departments.map((department) => profileDatasets(views, roles, qualityRole(department), options)));
  return results.flat();
}
