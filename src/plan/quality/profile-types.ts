/**
 * The quality profile of one dataset, as plain JSON (numbers, strings, booleans, nulls, arrays
 * and objects only), for the console, `civicgraph quality --json` and anything else that
 * shows it. Every figure is computed by the dataset's source from one role's view of it; see
 * ./profile.ts for which view and why.
 */

/** A value as the role reads it through the API: text, a number, a boolean, or an instant or date in ISO 8601. */
export type ProfileValue = string | number | boolean | null;

export interface FieldQuality {
  /** The field's path: `status`, `location.latitude`. */
  field: string;
  /** Its GraphQL type: `String`, `DateTime`, `ServiceRequestStatus`. */
  type: string;
  /**
   * `raw`: the role reads the stored value; `served`: it reads it through a privacy transform its
   * source computes (a hundred block, a rounded coordinate), and the figures are of that; `withheld`:
   * it reads it through a transform no source computes (redaction, a mask), so no figure is given.
   */
  read: 'raw' | 'served' | 'withheld';
  nulls: number | null;
  /** Nulls over rows, from 0 to 1 (null when the dataset has no rows). */
  nullShare: number | null;
  /** Distinct non-null values (raw codes for a coded field, canonical spellings for a normalised address). */
  distinct: number | null;
  /** The least and greatest value, as the API gives them; only for fields read raw and not recoded. */
  min: ProfileValue;
  max: ProfileValue;
}

export interface CodeCount {
  /** The code as the system stores it. */
  code: string | number | boolean;
  /** What the mapping's `codes:` translate it to; null for a code they do not list. */
  label: string | number | boolean | null;
  rows: number;
}

export interface CodeQuality {
  field: string;
  /** The most frequent codes, most frequent first (for a bar chart). */
  top: CodeCount[];
  /** Rows holding a code the mapping does not translate: the API fails on each of them (SOURCE_DATA_ERROR). */
  untranslatedRows: number;
  /** How many distinct codes those are. */
  untranslatedCodes: number;
  /** Those codes, most frequent first, at most QUALITY_LIST_LIMIT. */
  untranslated: CodeCount[];
}

export interface DateQuality {
  field: string;
  /** Values after the moment the profile was computed (for a Date field: after that day). */
  future: number;
  /** Values before the system existed (`existedSince`). */
  beforeExisted: number;
}

/**
 * Since when the system holds records: the mapping's `since:` (a day, midnight in the source's
 * zone), else the earliest value of the dataset's first date field (its records' creation: the
 * 311 request's `requestedAt`), against which every other date field is measured.
 */
export interface ExistedSince {
  /** ISO 8601. */
  at: string;
  from: 'mapping' | 'data';
  /** The field whose earliest value it is, when taken from the data. */
  field?: string;
}

export interface AddressQuality {
  field: string;
  /** Non-null addresses. */
  values: number;
  /** Addresses the hundred-block program cannot read as a house number and street (src/privacy/hundred-block.ts): the public reads them as null. */
  notNormalised: number;
  /** The most frequent of them as the system stores them, at most QUALITY_LIST_LIMIT. */
  examples: Array<{ address: string; rows: number }>;
}

export interface KeyQuality {
  field: string;
  /** Rows without a key: no by-id look-up or join can reach them. */
  nulls: number;
  /** Rows whose key an earlier row already has (rows with a key, less distinct keys). */
  duplicateRows: number;
  /** The most repeated keys, as the API spells them, at most QUALITY_LIST_LIMIT. */
  repeated: Array<{ key: ProfileValue; rows: number }>;
}

export interface JoinQuality {
  /** The join's field: `workOrders`, `serviceRequest`. */
  join: string;
  target: string;
  from: string;
  to: string;
  /** Rows of this dataset with a value to join on. */
  references: number;
  /** Of those, the rows whose value finds at least one row of the target (as this role sees the target). */
  matched: number;
  /** matched / references; null without references. */
  matchRate: number | null;
  /**
   * Values that find nothing, most frequent first, at most QUALITY_LIST_LIMIT: listed when the
   * dataset's side of the join was the one read (it holds fewer distinct values than the target's).
   */
  orphans: Array<{ value: ProfileValue; rows: number }>;
  /** False when the distinct values exceeded QUALITY_JOIN_VALUES: the figures then cover the first ones only. */
  complete: boolean;
  /** Why the join could not be measured (the target's source is down), naming the source; the other figures are then 0. */
  error?: QualityError;
}

export interface MonthCount {
  /** 'YYYY-MM'. */
  month: string;
  rows: number;
}

export interface QualityProfile {
  /** The dataset's public type. */
  dataset: string;
  title: string;
  department: string;
  source: string;
  /** The role whose view it was computed on. */
  role: string;
  /** When (ISO 8601): the instant `future` dates are measured against. */
  computedAt: string;
  rows: number;
  fields: FieldQuality[];
  codes: CodeQuality[];
  existedSince: ExistedSince | null;
  dates: DateQuality[];
  addresses: AddressQuality[];
  key: KeyQuality | null;
  joins: JoinQuality[];
  /** Rows per month of the first date field (for a histogram), oldest first; empty without one; the latest 480 months at most (`complete: false` when there are more). */
  recordsPerMonth: { field: string | null; months: MonthCount[]; complete: boolean };
  /** What computing it cost the sources: statements sent, and the most rows any one of them returned. */
  queries: { count: number; largestResult: number };
}

export interface QualityError {
  source: string;
  /**
   * A SourceErrorReason (`unreachable`, `timeout`, `missing-table`…), `data` for a value the mapping
   * cannot read, `suppressed` for a join target whose statistics the role reads suppressed, `deadline`
   * or `rows` for the request's runtime budget, or `internal`.
   */
  reason: string;
  message: string;
}

/** One dataset's profile, or why it could not be computed: one dataset failing never hides the others'. */
export type DatasetQuality =
  | { dataset: string; department: string; source: string; profile: QualityProfile; error?: undefined }
  | { dataset: string; department: string; source: string; profile?: undefined; error: QualityError };
