/**
 * The query parameters of Open311 requests, checked and read. A parameter Open311 does not
 * define for the resource, or a value that cannot be read, is refused with a 400 naming it. An
 * empty parameter is no parameter (GeoReport v2's "optional arguments").
 */
import type { Request } from 'express';
import { MAX_PAGE_SIZE } from '../../plan/page.js';
import { isOffsetDateTime } from '../../schema/scalars.js';
import { badParameter } from './errors.js';

/** Accepted everywhere: one jurisdiction is served, so `jurisdiction_id` is ignored; `api_key` is an app token. */
const COMMON_PARAMETERS = ['jurisdiction_id', 'api_key'];

export const RESOURCE_PARAMETERS = {
  discovery: COMMON_PARAMETERS,
  services: COMMON_PARAMETERS,
  service: COMMON_PARAMETERS,
  requests: [...COMMON_PARAMETERS, 'service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'updated_after', 'updated_before', 'page', 'page_size', 'extensions'],
  request: [...COMMON_PARAMETERS, 'extensions'],
} as const satisfies Record<string, readonly string[]>;

export type Resource = keyof typeof RESOURCE_PARAMETERS;

/** GeoReport v2's default answer: "a span of 90 days or first 1000 requests returned, whichever is smallest". */
const WINDOW_DAYS = 90;
const WINDOW_MS = WINDOW_DAYS * 24 * 60 * 60 * 1000;
const DEFAULT_PAGE_SIZE = 1000;

export type Status = 'OPEN' | 'CLOSED';
const STATUSES: Readonly<Record<string, Status>> = { open: 'OPEN', closed: 'CLOSED' };

export interface RequestsQuery {
  /** `service_request_id`: when given, the other conditions are not applied (GeoReport v2: it "overrides all other arguments"). */
  ids?: string[];
  serviceCodes?: string[];
  statuses?: Status[];
  /** The window of `requested_datetime`; absent when ids are asked for, or only `updated_*` bounds are given. */
  requested?: { from: Date; to: Date };
  updated?: { after?: Date; before?: Date };
  page: number;
  pageSize: number;
  extensions: boolean;
}

/** A value as the caller wrote it, short enough to quote in an error. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

export class Parameters {
  private readonly values = new Map<string, string[]>();

  constructor(query: Request['query'], resource: Resource) {
    const allowed: readonly string[] = RESOURCE_PARAMETERS[resource];
    for (const [name, raw] of Object.entries(query)) {
      if (!allowed.includes(name)) {
        throw badParameter(name, `not a parameter of this resource; it takes ${allowed.join(', ')}`);
      }
      const values = (Array.isArray(raw) ? raw : [raw]).filter((value) => value !== '');
      if (values.some((value) => typeof value !== 'string')) throw badParameter(name, 'must be text');
      if (values.length > 0) this.values.set(name, values as string[]);
    }
  }

  text(name: string): string | undefined {
    const values = this.values.get(name);
    if (values && values.length > 1) throw badParameter(name, 'given more than once');
    return values?.[0];
  }

  /** A list given comma-separated, repeated, or both. */
  list(name: string): string[] | undefined {
    const items = this.values.get(name)?.flatMap((value) => value.split(',')).map((item) => item.trim()).filter((item) => item !== '');
    return items && items.length > 0 ? items : undefined;
  }

  instant(name: string): Date | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const instant = isOffsetDateTime(text) ? new Date(text) : undefined;
    if (!instant || Number.isNaN(instant.getTime())) {
      throw badParameter(name, `must be an ISO 8601 date-time with a time-zone offset, e.g. 2024-03-05T00:00:00Z (in a URL, write the + of an offset as %2B); got ${quoted(text)}`);
    }
    return instant;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const value = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) throw badParameter(name, `must be a whole number from ${min} to ${max}; got ${quoted(text)}`);
    return value;
  }

  flag(name: string): boolean {
    const text = this.text(name);
    if (text === undefined || text === 'false') return false;
    if (text === 'true') return true;
    throw badParameter(name, `must be true or false; got ${quoted(text)}`);
  }
}

/** `requests.{format}`'s parameters; `now` ends the default window. */
export function requestsQuery(parameters: Parameters, now: Date): RequestsQuery {
  const ids = parameters.list('service_request_id');
  if (ids && ids.length > MAX_PAGE_SIZE) throw badParameter('service_request_id', `at most ${MAX_PAGE_SIZE} ids at once; got ${ids.length}`);
  const serviceCodes = parameters.list('service_code');
  const statuses = parameters.list('status')?.map((status) => {
    const known = STATUSES[status];
    if (!known) throw badParameter('status', `must be open or closed (both: open,closed); got ${quoted(status)}`);
    return known;
  });

  const start = parameters.instant('start_date');
  const end = parameters.instant('end_date');
  if (start && end && end < start) throw badParameter('end_date', 'must not be before start_date');
  if (start && end && end.getTime() - start.getTime() > WINDOW_MS) throw badParameter('end_date', `start_date to end_date may span at most ${WINDOW_DAYS} days`);
  const after = parameters.instant('updated_after');
  const before = parameters.instant('updated_before');
  if (after && before && before < after) throw badParameter('updated_before', 'must not be before updated_after');

  const pageSize = parameters.integer('page_size', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  // A page beyond any row still reads nothing; only the offset's arithmetic must stay exact.
  const page = parameters.integer('page', 1, Math.floor(Number.MAX_SAFE_INTEGER / pageSize)) ?? 1;
  const extensions = parameters.flag('extensions');
  if (ids) return { ids, page, pageSize, extensions };

  let requested: RequestsQuery['requested'];
  if (start || end) {
    requested = { from: start ?? new Date(end!.getTime() - WINDOW_MS), to: end ?? new Date(start!.getTime() + WINDOW_MS) };
  } else if (!after && !before) {
    requested = { from: new Date(now.getTime() - WINDOW_MS), to: now };
  }
  return {
    ...(serviceCodes ? { serviceCodes } : {}),
    ...(statuses ? { statuses } : {}),
    ...(requested ? { requested } : {}),
    ...(after || before ? { updated: { ...(after ? { after } : {}), ...(before ? { before } : {}) } } : {}),
    page,
    pageSize,
    extensions,
  };
}
