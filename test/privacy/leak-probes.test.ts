/**
 * Leak probes: a determined outsider attacks the demo gateway as the `public` role over real
 * HTTP (the demo on the real PostgreSQL server), and the ground truth read straight from the
 * departments' databases says whether anything it should not know got out — callers' names,
 * phones and e-mails, internal notes, exact addresses and coordinates of requests, the
 * withheld HOMELESS/ELDERCHK requests, contractors' phones — in any answer, error or count.
 *
 * Each probe fails when the public learns something it cannot read directly. Where a probe
 * needs to show that the attack would work if the door were open, it runs the same query as
 * a role that may (staff, a department) as a control.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_TOKEN,
  INTERNALS,
  PLANTED,
  WITHHELD_CODES,
  bearer,
  connectorsWithPublication,
  exactLocationsIn,
  openWorld,
  postTo,
  secretsIn,
  shortCase,
  startGateway,
  type HttpAnswer,
  type SrRow,
  type World,
} from './probe-support.js';
import { normalizeAddress } from '../../src/source/address.js';

let w: World;
const JWT_SECRET_FRAGMENT = 'leak-probe-jwt-secret';

beforeAll(async () => {
  w = await openWorld('leaks');
}, 120_000);

afterAll(async () => {
  await w?.close();
});

/** An anonymous request, kept for the final sweep. */
const pub = (query: string, variables?: Record<string, unknown>): Promise<HttpAnswer> => w.pub(query, variables);

/** The same with an app token: still the public role. */
async function app(query: string, variables?: Record<string, unknown>, token = APP_TOKEN): Promise<HttpAnswer> {
  const answer = await postTo(w.base, query, variables, { 'x-app-token': token });
  w.publicAnswers.push({ request: query + JSON.stringify(variables ?? {}), text: answer.text });
  return answer;
}

const as = (token: string, query: string, variables?: Record<string, unknown>) => postTo(w.base, query, variables, bearer(token));

function messages(answer: HttpAnswer): string[] {
  return (answer.body?.errors ?? []).map((error: { message: string }) => error.message);
}

/** Refused before anything ran: an error and no data at all. */
function expectRefused(answer: HttpAnswer): void {
  expect(answer.body?.errors?.length ?? 0, answer.text).toBeGreaterThan(0);
  expect(answer.body?.data ?? null, answer.text).toBeNull();
  expect(answer.status).toBeGreaterThanOrEqual(400);
}

/** Served without errors; returns `data`. */
function expectServed(answer: HttpAnswer): any {
  expect(answer.body?.errors, answer.text).toBeUndefined();
  expect(answer.status, answer.text).toBe(200);
  return answer.body.data;
}

/** An error message with the one name the caller typed replaced, to compare a hidden name with a name that never existed. */
function shape(answer: HttpAnswer, typed: string): string[] {
  return messages(answer).map((message) => message.split(typed).join('<NAME>'));
}

const HIDDEN_SR = ['callerName', 'callerPhone', 'callerEmail', 'internalNotes'];
const TRANSFORMED_SR = ['address', 'location', 'description', 'statusNotes'];
/** Read transformed, with no source-side form: never compared. (address and location are compared as read: transformed-filters.test.ts.) */
const UNCOMPARABLE_SR = ['description', 'statusNotes'];
const HIDDEN_NAMES = /caller_?(?:name|phone|email)|internal_?notes|contractor_?phone/i;
const enumStem = (path: string) => path.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

const publicTruth = (): SrRow[] => w.truth.publicRequests;
const byCase = (caseNo: string): SrRow => w.truth.requests.find((row) => row.CASE_NO === caseNo)!;
const homeless = (): SrRow => w.truth.withheldRequests.find((row) => row.SR_TYPE_CD === 'HOMELESS' && row.CASE_NO.startsWith('SR-24-'))!;
const elder = (): SrRow => [...w.truth.withheldRequests].filter((row) => row.SR_TYPE_CD === 'ELDERCHK').sort((a, b) => (a.CASE_NO < b.CASE_NO ? 1 : -1))[0]!;

// ---------------------------------------------------------------------------------------------

describe('introspection', () => {
  const INTROSPECTION = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true });
  type IType = { name: string; kind: string; fields?: Array<{ name: string; args: Array<{ name: string }> }> | null; inputFields?: Array<{ name: string }> | null; enumValues?: Array<{ name: string }> | null };
  const typeOf = (answer: HttpAnswer, name: string): IType | undefined => answer.body.data.__schema.types.find((type: IType) => type.name === name);
  const names = (list: Array<{ name: string }> | null | undefined) => (list ?? []).map((item) => item.name);

  it('the public schema names no hidden field anywhere: types, fields, arguments, input fields, enum values, descriptions', async () => {
    const anonymous = await pub(INTROSPECTION);
    expectServed(anonymous);
    expect(anonymous.text).not.toMatch(HIDDEN_NAMES);
    // The same holds with an app token, which grants exactly the public schema.
    const withToken = await app(INTROSPECTION);
    expect(withToken.text).toBe(anonymous.text);
    // Control: the names exist, and the 311 department's schema has them.
    const department = await as(w.tokens.dept311, INTROSPECTION);
    expect(department.text).toMatch(/callerPhone/);
    expect(department.text).toMatch(/CALLER_PHONE_ASC/);
  });

  it('offers no filter, order or grouping on redacted text (description, statusNotes) or hidden fields, and address and location only as the public reads them', async () => {
    const answer = await pub(INTROSPECTION);
    const srFilter = names(typeOf(answer, 'ServiceRequestFilter')?.inputFields);
    const woFilter = names(typeOf(answer, 'WorkOrderFilter')?.inputFields);
    expect(srFilter).toContain('serviceCode');
    for (const field of [...UNCOMPARABLE_SR, ...HIDDEN_SR]) expect(srFilter).not.toContain(field);
    expect(woFilter).toContain('serviceRequestId');
    // The hundred block and the rounded coordinates, typed as read: no operator compares the raw text or number.
    const inputType = (typeName: string, field: string) => (typeOf(answer, typeName) as { inputFields?: Array<{ name: string; type: { name: string } }> })?.inputFields?.find((input) => input.name === field)?.type.name;
    for (const typeName of ['ServiceRequestFilter', 'WorkOrderFilter']) expect(inputType(typeName, 'address')).toBe('HundredBlockFilter');
    expect(names(typeOf(answer, 'HundredBlockFilter')?.inputFields).sort()).toEqual(['contains', 'eq', 'in', 'isNull', 'ne', 'startsWith']);
    for (const typeName of ['ServiceRequestLocationFilter', 'WorkOrderLocationFilter']) expect(names(typeOf(answer, typeName)?.inputFields)).toEqual(['latitude', 'longitude', 'within', 'box']);

    const srOrder = names(typeOf(answer, 'ServiceRequestOrderBy')?.enumValues);
    const srGroup = names(typeOf(answer, 'ServiceRequestGroupBy')?.enumValues);
    const srKey = names(typeOf(answer, 'ServiceRequestStatsKey')?.fields);
    const woOrder = names(typeOf(answer, 'WorkOrderOrderBy')?.enumValues);
    const woGroup = names(typeOf(answer, 'WorkOrderGroupBy')?.enumValues);
    expect(srOrder).toContain('REQUESTED_AT_DESC');
    expect(srGroup).toContain('SERVICE_CODE');
    for (const field of [...UNCOMPARABLE_SR, ...HIDDEN_SR]) {
      const stem = enumStem(field);
      expect(srOrder.filter((value) => value.startsWith(`${stem}_`))).toEqual([]);
      expect(srGroup.filter((value) => value === stem || value.startsWith(`${stem}_`))).toEqual([]);
      expect(srKey).not.toContain(field);
    }
    // Ordered by the block and the rounded coordinates; grouped by the block and the whole rounded position, not one coordinate.
    for (const [order, group] of [[srOrder, srGroup], [woOrder, woGroup]]) {
      expect(order!.filter((value) => /^(ADDRESS|LOCATION)_/.test(value)).sort()).toEqual(
        ['ADDRESS_ASC', 'ADDRESS_DESC', 'LOCATION_LATITUDE_ASC', 'LOCATION_LATITUDE_DESC', 'LOCATION_LONGITUDE_ASC', 'LOCATION_LONGITUDE_DESC'],
      );
      expect(group!.filter((value) => /^(ADDRESS|LOCATION)/.test(value)).sort()).toEqual(['ADDRESS', 'LOCATION']);
    }
    // No min/max/sum over a transformed or hidden value either.
    for (const typeName of ['ServiceRequestStatsValues', 'ServiceRequestStatsNumbers', 'WorkOrderStatsValues', 'WorkOrderStatsNumbers']) {
      const fields = names(typeOf(answer, typeName)?.fields);
      for (const field of ['address', 'location', 'description', 'statusNotes', ...HIDDEN_SR]) expect(fields).not.toContain(field);
    }

    // Control: staff read those four raw, so staff may filter, sort and group on them.
    const staff = await as(w.tokens.staff, INTROSPECTION);
    expect(names(typeOf(staff, 'ServiceRequestFilter')?.inputFields)).toEqual(expect.arrayContaining(TRANSFORMED_SR));
    expect(names(typeOf(staff, 'ServiceRequestOrderBy')?.enumValues)).toContain('ADDRESS_ASC');
  });

  it('`__type` of the filter inputs lists only fields the public may compare', async () => {
    const answer = await pub(`{
      sr: __type(name: "ServiceRequestFilter") { inputFields { name type { name } } }
      wo: __type(name: "WorkOrderFilter") { inputFields { name } }
      permit: __type(name: "PermitFilter") { inputFields { name } }
      location: __type(name: "ServiceRequestLocationFilter") { name }
      sr2: __type(name: "ServiceRequest") { fields { name } }
      permit2: __type(name: "Permit") { fields { name } }
    }`);
    const data = expectServed(answer);
    const sr = names(data.sr.inputFields);
    expect(sr.sort()).toEqual(
      ['address', 'agencyResponsible', 'and', 'closedAt', 'expectedAt', 'id', 'location', 'mediaUrl', 'not', 'or', 'requestedAt', 'serviceCode', 'serviceName', 'source', 'status', 'statusDescription', 'updatedAt', 'zipcode'].sort(),
    );
    expect(names(data.wo.inputFields)).toContain('status');
    expect(names(data.permit.inputFields)).not.toContain('contractorPhone');
    expect(names(data.permit2.fields)).not.toContain('contractorPhone');
    expect(data.location).toEqual({ name: 'ServiceRequestLocationFilter' });
    for (const field of HIDDEN_SR) expect(names(data.sr2.fields)).not.toContain(field);
  });

  it('joins on values the public reads transformed are not offered (permitsAtAddress, serviceRequestsAtAddress); address(line) reaches only permits', async () => {
    const answer = await pub(`{
      sr: __type(name: "ServiceRequest") { fields { name } }
      permit: __type(name: "Permit") { fields { name } }
      address: __type(name: "Address") { fields { name } }
    }`);
    const data = expectServed(answer);
    expect(names(data.sr.fields)).toContain('workOrders');
    expect(names(data.sr.fields)).not.toContain('permitsAtAddress');
    expect(names(data.permit.fields)).not.toContain('serviceRequestsAtAddress');
    expect(names(data.address.fields).sort()).toEqual(['line', 'permits']);
    // Control: staff read the addresses raw and get every join.
    const staff = expectServed(await as(w.tokens.staff, '{ sr: __type(name: "ServiceRequest") { fields { name } } address: __type(name: "Address") { fields { name } } }'));
    expect(names(staff.sr.fields)).toContain('permitsAtAddress');
    expect(names(staff.address.fields).sort()).toEqual(['line', 'permits', 'serviceRequests', 'workOrders']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('"did you mean" suggestions', () => {
  it('suggest visible names (control), so that their silence on hidden names means something', async () => {
    const answer = await pub('{ serviceRequests(first: 1) { nodes { serviceNam } } }');
    expectRefused(answer);
    expect(messages(answer).join(' ')).toMatch(/Did you mean "serviceName"/);
  });

  it('a selection of a hidden name, or a typo of one, is answered exactly like a name that never existed', async () => {
    for (const [typed, never] of [
      ['callerPhon', 'qqqqqqPhon'],
      ['callerPhone', 'qqqqqqPhone'],
      ['callerEmail', 'qqqqqqEmail'],
      ['internalNote', 'qqqqqqqqNote'],
      ['permitsAtAddres', 'qqqqqqqqqqqqqqq'],
    ] as const) {
      const hidden = await pub(`{ serviceRequests(first: 1) { nodes { id ${typed} } } }`);
      const control = await pub(`{ serviceRequests(first: 1) { nodes { id ${never} } } }`);
      expectRefused(hidden);
      // Nothing but the caller's own word quoted back: no completion of it to a real name.
      expect(messages(hidden).join(' ').split(typed).join(''), typed).not.toMatch(/caller|internal|permitsAtAddress|Did you mean/);
      expect(shape(hidden, typed)).toEqual(shape(control, never));
    }
    const permit = await pub('{ permits(first: 1) { nodes { contractorPhon } } }');
    expect(permit.text).not.toMatch(/contractorPhone/);
  });

  it('filter, orderBy and groupBy arguments neither suggest nor confirm hidden or transformed names', async () => {
    // What the public may be told about: the names each type has in its own schema (checked above to hold no hidden name).
    const schema = expectServed(await pub('{ __schema { types { name fields { name } inputFields { name } enumValues { name } } } }')).__schema.types;
    const vocabulary = (typeName: string): string[] => {
      const type = schema.find((candidate: { name: string }) => candidate.name === typeName);
      return [...(type?.fields ?? []), ...(type?.inputFields ?? []), ...(type?.enumValues ?? [])].map((item: { name: string }) => item.name);
    };
    const cases: Array<[query: string, typed: string, never: string, typeName: string]> = [
      ['{ serviceRequests(first: 1) { nodes { callerPhon } } }', 'callerPhon', 'qqqqqqPhon', 'ServiceRequest'],
      ['{ serviceRequests(filter: { callerPhone: { eq: "x" } }) { totalCount } }', 'callerPhone', 'qqqqqqPhone', 'ServiceRequestFilter'],
      ['{ serviceRequests(filter: { callerPhon: { eq: "x" } }) { totalCount } }', 'callerPhon', 'qqqqqqPhon', 'ServiceRequestFilter'],
      ['{ serviceRequests(filter: { addres: { eq: "x" } }) { totalCount } }', 'addres', 'qqqqqq', 'ServiceRequestFilter'],
      ['{ serviceRequests(filter: { address: { gte: "x" } }) { totalCount } }', 'gte', 'qqq', 'HundredBlockFilter'],
      ['{ serviceRequests(filter: { descriptio: { contains: "x" } }) { totalCount } }', 'descriptio', 'qqqqqqqqqq', 'ServiceRequestFilter'],
      ['{ serviceRequests(filter: { statusNote: { contains: "x" } }) { totalCount } }', 'statusNote', 'qqqqqqqqqq', 'ServiceRequestFilter'],
      ['{ serviceRequests(filter: { locatio: { latitude: { eq: 1 } } }) { totalCount } }', 'locatio', 'qqqqqqq', 'ServiceRequestFilter'],
      ['{ serviceRequests(orderBy: [CALLER_PHONE_ASC]) { totalCount } }', 'CALLER_PHONE_ASC', 'QQQQQQ_QQQQQ_ASC', 'ServiceRequestOrderBy'],
      ['{ serviceRequests(orderBy: [ADDRESS_AS]) { totalCount } }', 'ADDRESS_AS', 'QQQQQQQ_QQ', 'ServiceRequestOrderBy'],
      ['{ serviceRequests(orderBy: [DESCRIPTION_ASC]) { totalCount } }', 'DESCRIPTION_ASC', 'QQQQQQQQQQQ_QQQ', 'ServiceRequestOrderBy'],
      ['{ serviceRequests(orderBy: [STATUS_NOTES_AS]) { totalCount } }', 'STATUS_NOTES_AS', 'QQQQQQ_QQQQQ_QQ', 'ServiceRequestOrderBy'],
      ['{ serviceRequestStats(groupBy: [CALLER_PHONE]) { count } }', 'CALLER_PHONE', 'QQQQQQ_QQQQQ', 'ServiceRequestGroupBy'],
      ['{ serviceRequestStats(groupBy: [ADDRES]) { count } }', 'ADDRES', 'QQQQQQ', 'ServiceRequestGroupBy'],
      ['{ workOrders(orderBy: [ADRESS_ASC]) { totalCount } }', 'ADRESS_ASC', 'QQQQQQ_QQQ', 'WorkOrderOrderBy'],
      ['{ workOrders(filter: { addres: { eq: "x" } }) { totalCount } }', 'addres', 'qqqqqq', 'WorkOrderFilter'],
      ['{ permits(filter: { contractorPhone: { eq: "x" } }) { totalCount } }', 'contractorPhone', 'qqqqqqqqqqPhone', 'PermitFilter'],
      ['{ permits(first: 1) { nodes { contractorPhon } } }', 'contractorPhon', 'qqqqqqqqqqPhon', 'Permit'],
    ];
    const withoutSuggestion = (list: string[]) => list.map((message) => message.replace(/ Did you mean .*\?$/, ''));
    for (const [query, typed, never, typeName] of cases) {
      const hidden = await pub(query);
      const control = await pub(query.replace(typed, never));
      expectRefused(hidden);
      // The same refusal as for a name that never existed…
      expect(withoutSuggestion(shape(hidden, typed)), query).toEqual(withoutSuggestion(shape(control, never)));
      // …and any suggestion names only what the public may use on that type.
      const suggestions = messages(hidden).flatMap((message) => [.../Did you mean (.*)\?$/.exec(message)?.[1]?.matchAll(/"([^"]+)"/g) ?? []].map((match) => match[1]!));
      expect(vocabulary(typeName).length, typeName).toBeGreaterThan(0);
      for (const name of suggestions) expect(vocabulary(typeName), `${query} suggests ${name}`).toContain(name);
    }
  });

  it('variables with hidden keys are refused with the same words as unknown keys', async () => {
    const query = 'query ($f: ServiceRequestFilter) { serviceRequests(filter: $f) { totalCount } }';
    const hidden = await pub(query, { f: { callerPhone: { eq: '217-555-0142' } } });
    const control = await pub(query, { f: { qqqqqqPhone: { eq: '217-555-0142' } } });
    expectRefused(hidden);
    expect(shape(hidden, 'callerPhone')).toEqual(shape(control, 'qqqqqqPhone'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('filters on hidden fields or redacted text', () => {
  const chatty = () => byCase(PLANTED.chattyRequest);
  const conditions = (): Array<[string, string]> => [
    ['callerPhone', `{ eq: ${JSON.stringify(PLANTED.chattyPhone)} }`],
    ['callerName', '{ contains: "Quarrington" }'],
    ['callerEmail', '{ isNull: false }'],
    ['internalNotes', '{ contains: "callback" }'],
    ['description', '{ contains: "555" }'],
    ['description', '{ isNull: true }'],
    ['statusNotes', '{ contains: "555-0177" }'],
  ];

  it('are refused as literals, alone and inside and/or/not, at the root and in joins', async () => {
    for (const [field, condition] of conditions()) {
      for (const filter of [
        `{ ${field}: ${condition} }`,
        `{ and: [{ serviceCode: { eq: "PTHOLE" } }, { ${field}: ${condition} }] }`,
        `{ or: [{ serviceCode: { eq: "NOSUCH" } }, { not: { ${field}: ${condition} } }] }`,
        `{ not: { not: { ${field}: ${condition} } } }`,
      ]) {
        expectRefused(await pub(`{ serviceRequests(filter: ${filter}) { totalCount nodes { id } } }`));
        expectRefused(await pub(`{ serviceRequestStats(filter: ${filter}) { count } }`));
      }
    }
  });

  it('on address and location compare only what the public reads: a raw address or coordinate matches nothing, at the root and in joins', async () => {
    const raw = JSON.stringify(normalizeAddress(homeless().ADDR_LINE!));
    const data = expectServed(
      await pub(`{
        wo: workOrders(filter: { address: { eq: ${raw} } }) { totalCount }
        woStats: workOrderStats(filter: { or: [{ address: { eq: ${raw} } }] }) { count }
        sr: serviceRequests(filter: { address: { eq: ${JSON.stringify(PLANTED.chattyAddress)} } }) { totalCount }
        lat: serviceRequests(filter: { location: { latitude: { eq: ${PLANTED.chattyLat} } } }) { totalCount }
        joined: serviceRequests(first: 5) { nodes { workOrders(filter: { address: { startsWith: "1163" } }) { id } } }
      }`),
    );
    expect(data.wo.totalCount).toBe(0);
    expect(data.woStats.map((group: { count: number | null }) => group.count ?? 0)).toEqual([0]);
    expect(data.sr.totalCount).toBe(0);
    expect(data.lat.totalCount).toBe(0);
    expect(data.joined.nodes.flatMap((node: { workOrders: unknown[] }) => node.workOrders)).toEqual([]);
  });

  it('are refused through variables, including a visible filter with extra hidden keys, and fragments cannot carry them', async () => {
    const query = 'query ($f: ServiceRequestFilter) { serviceRequests(filter: $f, first: 1000) { totalCount nodes { id } } }';
    for (const [field] of conditions()) {
      const value = { eq: PLANTED.chattyPhone };
      expectRefused(await pub(query, { f: { [field]: value } }));
      expectRefused(await pub(query, { f: { serviceCode: { eq: 'PTHOLE' }, [field]: value } }));
      expectRefused(await pub(query, { f: { and: [{ serviceCode: { eq: 'PTHOLE' } }, { [field]: value }] } }));
      expectRefused(await pub(query, { f: { serviceCode: { eq: 'PTHOLE', [field]: value } } }));
    }
    expectRefused(
      await pub(`query { ...F } fragment F on Query { a: serviceRequests(filter: { callerPhone: { eq: ${JSON.stringify(PLANTED.chattyPhone)} } }) { totalCount } }`),
    );
  });

  it('the filter arguments that are offered give no yes/no oracle on the raw description or address (binary search on "555")', async () => {
    // The public may filter on text it reads raw; none of it holds the chatty request's phone or address.
    const probes = [
      '{ serviceRequests(filter: { mediaUrl: { contains: "555" } }) { totalCount } }',
      '{ serviceRequests(filter: { statusDescription: { contains: "555" } }) { totalCount } }',
      '{ serviceRequests(filter: { serviceName: { contains: "555" } }) { totalCount } }',
      '{ serviceRequests(filter: { id: { startsWith: "SR-24-0999" } }) { totalCount nodes { id } } }',
    ];
    const counts = [];
    for (const probe of probes) counts.push(expectServed(await pub(probe)).serviceRequests.totalCount);
    expect(counts.slice(0, 3)).toEqual([0, 0, 0]);
    expect(counts[3]).toBe(2); // the two planted requests themselves, by their visible ids
    // Control: for staff, who read description raw, the oracle exists and finds the planted phone.
    const staff = expectServed(await as(w.tokens.staff, '{ serviceRequests(filter: { description: { contains: "555-0177" } }) { nodes { id } } }'));
    expect(staff.serviceRequests.nodes).toEqual([{ id: PLANTED.chattyRequest }]);
  });

  it('the public reads the planted request only transformed: phone and e-mail redacted, hundred block, ~110 m', async () => {
    const data = expectServed(
      await pub(`{ serviceRequest(id: "${PLANTED.chattyRequest}") { id description statusNotes address zipcode location { latitude longitude } } }`),
    );
    const row = data.serviceRequest;
    expect(row.description).toContain('[phone]');
    expect(row.description).toContain('[email]');
    expect(row.statusNotes).toContain('[phone]');
    expect(row.address).toBe('11XX W 24TH ST');
    expect(row.location).toEqual({ latitude: 41.848, longitude: -87.674 });
    expect(secretsIn(w.truth, JSON.stringify(data))).toEqual([]);
    expect(chatty().DESCR_TXT).toContain(PLANTED.chattyPhone); // the raw value really holds it
  });

  it('a caller phone written into a redacted description is never readable, however it is spelled', async () => {
    const data = expectServed(await pub(`{ serviceRequest(id: "${PLANTED.spelledRequest}") { description } }`));
    const description: string = data.serviceRequest.description;
    expect(byCase(PLANTED.spelledRequest).DESCR_TXT).toContain(PLANTED.spellings[1]!.text); // the raw value really holds them
    const digitsOf = (text: string) => text.normalize('NFKC').replace(/\D/g, '');
    // The digits of one number, whatever separates them, full-width ones included.
    const readable = (text: string) => new RegExp(digitsOf(text).slice(0, 10).split('').join('\\D{0,3}')).test(description.normalize('NFKC'));
    expect(readable(PLANTED.spellings[0]!.text), 'control: a plain dashed number is redacted').toBe(false);
    const leaked = PLANTED.spellings.filter((spelling) => readable(spelling.text)).map((spelling) => `${spelling.label}: ${JSON.stringify(spelling.text)}`);
    expect(leaked, `public description: ${JSON.stringify(description)}`).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('ordering', () => {
  it('orderBy on hidden fields or redacted text is impossible (address and location sort as read: transformed-filters.test.ts)', async () => {
    for (const value of ['DESCRIPTION_ASC', 'STATUS_NOTES_DESC', 'CALLER_PHONE_ASC', 'CALLER_NAME_DESC', 'INTERNAL_NOTES_ASC']) {
      expectRefused(await pub(`{ serviceRequests(orderBy: [${value}], first: 5) { nodes { id } } }`));
    }
    // Through the join into work orders (whose description is public, so not that one).
    expectRefused(await pub('{ serviceRequests(first: 1) { nodes { workOrders(orderBy: [CALLER_PHONE_ASC]) { id } } } }'));
    expectRefused(await pub('{ permits(orderBy: [CONTRACTOR_PHONE_ASC], first: 5) { nodes { id } } }'));
    // Control: staff may sort by the raw address.
    expectServed(await as(w.tokens.staff, '{ serviceRequests(orderBy: [ADDRESS_ASC], first: 5) { nodes { id } } }'));
  });

  it('ties on a visible sort key are broken by id, never by a hidden value', async () => {
    const query = (orderBy: string, after?: string) =>
      `{ serviceRequests(orderBy: [${orderBy}], first: 1000${after ? `, after: "${after}"` : ''}) { pageInfo { hasNextPage endCursor } nodes { id zipcode agencyResponsible } } }`;
    const all = async (orderBy: string) => {
      const rows: Array<{ id: string; zipcode: string | null; agencyResponsible: string | null }> = [];
      let after: string | undefined;
      for (;;) {
        const page = expectServed(await pub(query(orderBy, after))).serviceRequests;
        rows.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) return rows;
        after = page.pageInfo.endCursor;
      }
    };
    const byId = await all('ID_ASC');
    const rank = new Map(byId.map((row, index) => [row.id, index]));
    expect(byId.length).toBe(publicTruth().length);
    for (const [orderBy, key] of [['ZIPCODE_ASC', 'zipcode'], ['AGENCY_RESPONSIBLE_DESC', 'agencyResponsible']] as const) {
      const sorted = await all(orderBy);
      expect(sorted.length).toBe(byId.length);
      for (let index = 1; index < sorted.length; index++) {
        const [previous, current] = [sorted[index - 1]!, sorted[index]!];
        if (previous[key] === current[key]) expect(rank.get(current.id)!).toBeGreaterThan(rank.get(previous.id)!);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('cursors', () => {
  it('carry a version, a query fingerprint and a position, and no row value', async () => {
    const data = expectServed(
      await pub(`{ serviceRequests(first: 200, orderBy: [REQUESTED_AT_DESC]) { edges { cursor node { id serviceCode status requestedAt zipcode address } } } }`),
    );
    const edges = data.serviceRequests.edges as Array<{ cursor: string; node: Record<string, unknown> }>;
    expect(edges).toHaveLength(200);
    edges.forEach(({ cursor, node }, index) => {
      const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
      expect(decoded).toMatch(/^c1:[A-Za-z0-9_-]{14}:\d+$/);
      expect(decoded.split(':')[2]).toBe(String(index));
      const fingerprint = decoded.split(':')[1]!;
      for (const value of Object.values(node)) {
        if (typeof value === 'string' && value.length >= 3) expect(decoded).not.toContain(value);
      }
      expect(fingerprint).toBe(Buffer.from(edges[0]!.cursor, 'base64url').toString('utf8').split(':')[1]);
    });
  });

  it('are the same for every role at the same position: they depend on the query alone, not on rows the caller cannot see', async () => {
    const query = '{ serviceRequests(first: 50, filter: { requestedAt: { gte: "2024-01-01T00:00:00Z" } }) { edges { cursor } } }';
    const publicCursors = expectServed(await pub(query)).serviceRequests.edges.map((edge: { cursor: string }) => edge.cursor);
    const staffCursors = expectServed(await as(w.tokens.staff, query)).serviceRequests.edges.map((edge: { cursor: string }) => edge.cursor);
    expect(publicCursors).toEqual(staffCursors);
  });
});

// ---------------------------------------------------------------------------------------------

describe('joins into excluded rows', () => {
  it('a work order spawned by a HOMELESS or ELDERCHK case is withheld with it; one whose case does not exist is served and joins to null', async () => {
    const ids = [PLANTED.workOrderFromHomeless, PLANTED.workOrderFromElderCheck, PLANTED.workOrderFromNowhere, PLANTED.workOrderFromPublic];
    const answer = await pub(`{ workOrders(filter: { id: { in: ${JSON.stringify(ids.map(String))} } }, orderBy: [ID_ASC]) {
      nodes { id serviceRequestId serviceRequest { id serviceCode serviceName agencyResponsible requestedAt address } }
    } }`);
    const nodes = expectServed(answer).workOrders.nodes;
    expect(nodes.map((node: { id: string }) => node.id)).toEqual([PLANTED.workOrderFromNowhere, PLANTED.workOrderFromPublic].map(String));
    expect(nodes[0]).toEqual({ id: String(PLANTED.workOrderFromNowhere), serviceRequestId: PLANTED.nonexistentCase, serviceRequest: null });
    expect(nodes[1].serviceRequest).not.toBeNull();
    expect(answer.text).not.toMatch(/HOMELESS|ELDERCHK|Human Services|Homelessness|Well-Being/);
    expect(answer.text).not.toContain(homeless().CASE_NO);
    // One at a time, by id, too: a withheld one is no work order at all.
    for (const id of ids.slice(0, 2)) {
      const one = expectServed(await pub(`{ workOrder(id: "${id}") { serviceRequest { id serviceCode } } }`));
      expect(one.workOrder).toBeNull();
    }
    expect(expectServed(await pub(`{ workOrder(id: "${PLANTED.workOrderFromNowhere}") { serviceRequest { id } } }`)).workOrder).toEqual({ serviceRequest: null });
    // Control: staff see the withheld case behind the work order.
    const staff = expectServed(await as(w.tokens.staff, `{ workOrder(id: "${PLANTED.workOrderFromHomeless}") { serviceRequest { id serviceCode } } }`));
    expect(staff.workOrder.serviceRequest).toEqual({ id: homeless().CASE_NO, serviceCode: 'HOMELESS' });
  });

  it('ServiceRequest.workOrders from the public side never reaches back into an excluded case', async () => {
    const data = expectServed(await pub(`{ serviceRequests(first: 1000, filter: { id: { in: ["${homeless().CASE_NO}", "${elder().CASE_NO}"] } }) { totalCount nodes { id workOrders(first: 10) { id } } } }`));
    expect(data.serviceRequests).toEqual({ totalCount: 0, nodes: [] });
  });

  it('serviceRequest(id) of an excluded case answers exactly like an id that does not exist, whatever the route', async () => {
    const routes = (id: string) => [
      `{ serviceRequest(id: "${id}") { id serviceCode status } }`,
      `{ serviceRequests(filter: { id: { eq: "${id}" } }) { totalCount nodes { id } pageInfo { hasNextPage startCursor } } }`,
      `{ serviceRequests(filter: { id: { in: ["${id}"] }, serviceCode: { in: ["HOMELESS", "ELDERCHK"] } }) { totalCount } }`,
      `{ serviceRequestStats(filter: { id: { eq: "${id}" } }) { count suppressed min { requestedAt } } }`,
      `{ serviceRequestStats(filter: { id: { startsWith: "${id}" } }, groupBy: [SERVICE_CODE]) { key { serviceCode } count suppressed } }`,
      `{ workOrders(filter: { serviceRequestId: { eq: "${id}" } }) { nodes { serviceRequest { id } } } }`,
    ];
    for (const excluded of [homeless().CASE_NO, elder().CASE_NO]) {
      const nonexistent = PLANTED.unreferencedCase;
      const excludedRoutes = routes(excluded);
      const nonexistentRoutes = routes(nonexistent);
      for (let index = 0; index < excludedRoutes.length; index++) {
        const a = await pub(excludedRoutes[index]!);
        const b = await pub(nonexistentRoutes[index]!);
        expect(a.status).toBe(b.status);
        // Neither case is named by a work order the public may see (the excluded case's are withheld with it).
        expect(a.text.split(excluded).join('<ID>'), excludedRoutes[index]).toBe(b.text.split(nonexistent).join('<ID>'));
      }
    }
    // Control: staff tell them apart.
    const staff = expectServed(await as(w.tokens.staff, `{ serviceRequest(id: "${homeless().CASE_NO}") { id } }`));
    expect(staff.serviceRequest).toEqual({ id: homeless().CASE_NO });
  });

  it('address(line) for the public reaches permits only, and reveals nothing about requests at that address', async () => {
    const exact = homeless().ADDR_LINE!;
    expectRefused(await pub(`{ address(line: ${JSON.stringify(exact)}) { serviceRequests { totalCount } } }`));
    expectRefused(await pub(`{ address(line: ${JSON.stringify(exact)}) { workOrders { totalCount } } }`));
    const data = expectServed(await pub(`{ address(line: ${JSON.stringify(exact)}) { line permits { totalCount } } }`));
    // `line` is the caller's own input, canonicalised; the permits there are public record.
    expect(data.address.line).toBe(normalizeAddress(exact));
    expect(Object.keys(data.address).sort()).toEqual(['line', 'permits']);
    // Control: staff reach the withheld request through the same entry point.
    const staff = expectServed(await as(w.tokens.staff, `{ address(line: ${JSON.stringify(exact)}) { serviceRequests(first: 1000) { nodes { id } } } }`));
    expect(staff.address.serviceRequests.nodes.map((node: { id: string }) => node.id)).toContain(homeless().CASE_NO);
  });

  it('permitsAtAddress and serviceRequestsAtAddress are not offered to the public', async () => {
    expectRefused(await pub('{ serviceRequests(first: 5) { nodes { id permitsAtAddress { id } } } }'));
    expectRefused(await pub('{ permits(first: 5) { nodes { id serviceRequestsAtAddress { id } } } }'));
    // Control: staff have them.
    expectServed(await as(w.tokens.staff, '{ permits(first: 5) { nodes { id serviceRequestsAtAddress { id } } } }'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('counts and statistics', () => {
  const countBy = <K>(rows: SrRow[], key: (row: SrRow) => K) => {
    const counts = new Map<K, number>();
    for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
    return counts;
  };

  it('totalCount and serviceRequestStats exclude the withheld types, whatever the filter', async () => {
    const data = expectServed(
      await pub(`{
        all: serviceRequests { totalCount }
        withheld: serviceRequests(filter: { serviceCode: { in: ["HOMELESS", "ELDERCHK"] } }) { totalCount }
        notPothole: serviceRequests(filter: { not: { serviceCode: { eq: "PTHOLE" } } }) { totalCount }
        dhs: serviceRequests(filter: { agencyResponsible: { eq: "Department of Human Services" } }) { totalCount }
        dhsNames: serviceRequests(filter: { serviceName: { in: ["Person Experiencing Homelessness", "Senior Well-Being Check"] } }) { totalCount }
        stats: serviceRequestStats { count }
        byCode: serviceRequestStats(groupBy: [SERVICE_CODE]) { key { serviceCode } count suppressed }
        byAgency: serviceRequestStats(groupBy: [AGENCY_RESPONSIBLE]) { key { agencyResponsible } count suppressed }
      }`),
    );
    const visible = publicTruth();
    expect(w.truth.withheldRequests.length).toBeGreaterThan(0);
    expect(data.all.totalCount).toBe(visible.length);
    expect(data.withheld.totalCount).toBe(0);
    expect(data.dhs.totalCount).toBe(0);
    expect(data.dhsNames.totalCount).toBe(0);
    expect(data.notPothole.totalCount).toBe(visible.filter((row) => row.SR_TYPE_CD !== 'PTHOLE').length);
    expect(data.stats).toEqual([{ count: visible.length }]);
    const codes = countBy(visible, (row) => row.SR_TYPE_CD);
    for (const group of data.byCode) {
      expect(WITHHELD_CODES as readonly string[]).not.toContain(group.key.serviceCode);
      if (!group.suppressed) expect(group.count).toBe(codes.get(group.key.serviceCode));
    }
    expect(data.byAgency.map((group: { key: { agencyResponsible: string } }) => group.key.agencyResponsible)).not.toContain('Department of Human Services');
  });

  it('stats groupBy or measures on hidden fields, redacted text or one rounded coordinate are impossible', async () => {
    for (const groupBy of ['CALLER_PHONE', 'CALLER_NAME', 'DESCRIPTION', 'STATUS_NOTES', 'LOCATION_LATITUDE', 'INTERNAL_NOTES']) {
      expectRefused(await pub(`{ serviceRequestStats(groupBy: [${groupBy}]) { count } }`));
    }
    expectRefused(await pub('{ permitStats(groupBy: [CONTRACTOR_PHONE]) { count } }'));
    expectRefused(await pub('{ serviceRequestStats { min { location } } }'));
    expectRefused(await pub('{ workOrderStats { max { location } } }'));
    // Control: the department may group by the caller's phone.
    expectServed(await as(w.tokens.dept311, '{ serviceRequestStats(groupBy: [CALLER_PHONE]) { count } }'));
  });

  /** Suppressed cells of a two-key grouping, with the truth, for the differencing probes. */
  async function suppressedCells(): Promise<Array<{ serviceCode: string; status: string; truth: number }>> {
    const data = expectServed(await pub('{ serviceRequestStats(groupBy: [SERVICE_CODE, STATUS]) { key { serviceCode status } count suppressed } }'));
    const open = new Set(['N', 'O', 'IP']);
    const truth = countBy(publicTruth(), (row) => `${row.SR_TYPE_CD}|${open.has(row.STATUS_CD) ? 'OPEN' : 'CLOSED'}`);
    return data.serviceRequestStats
      .filter((group: { suppressed: boolean }) => group.suppressed)
      .map((group: { key: { serviceCode: string; status: string } }) => ({ ...group.key, truth: truth.get(`${group.key.serviceCode}|${group.key.status}`)! }))
      .filter((cell: { truth: number }) => cell.truth < 3);
  }

  it('a suppressed cell cannot be recovered from two groupings (margin minus the visible cells)', async () => {
    const cells = await suppressedCells();
    expect(cells.length, 'the demo has small cells to protect').toBeGreaterThan(0);
    const fine = expectServed(await pub('{ serviceRequestStats(groupBy: [SERVICE_CODE, STATUS]) { key { serviceCode status } count suppressed } }')).serviceRequestStats;
    const margins = [
      ['SERVICE_CODE', 'serviceCode'],
      ['STATUS', 'status'],
    ] as const;
    const recovered: string[] = [];
    for (const [groupBy, keyName] of margins) {
      const coarse = expectServed(await pub(`{ serviceRequestStats(groupBy: [${groupBy}]) { key { ${keyName} } count suppressed } }`)).serviceRequestStats;
      for (const margin of coarse) {
        if (margin.suppressed) continue;
        const inside = fine.filter((group: { key: Record<string, string> }) => group.key[keyName] === margin.key[keyName]);
        const hidden = inside.filter((group: { suppressed: boolean }) => group.suppressed);
        if (hidden.length !== 1) continue;
        const value = margin.count - inside.filter((group: { suppressed: boolean }) => !group.suppressed).reduce((sum: number, group: { count: number }) => sum + group.count, 0);
        const cell = cells.find((candidate) => candidate.serviceCode === hidden[0].key.serviceCode && candidate.status === hidden[0].key.status);
        if (cell && value === cell.truth) recovered.push(`${cell.serviceCode}/${cell.status} = ${value} (from the ${groupBy} margin)`);
      }
    }
    expect(recovered).toEqual([]);
  });

  // The boundary of small-cell suppression (README, "Privacy"): the public may list the rows of
  // a small cell, so it can always count them; suppression keeps statistics from telling it
  // more than those rows. Any count it can derive must equal what it can list, never the
  // true count of rows it cannot see.
  it('derives from a suppressed cell no more than the rows the public can list', async () => {
    const [cell] = await suppressedCells();
    expect(cell).toBeDefined();
    const filter = `{ serviceCode: { eq: "${cell!.serviceCode}" }, status: { eq: ${cell!.status} } }`;
    const data = expectServed(
      await pub(`{
        all: serviceRequestStats { count suppressed }
        rest: serviceRequestStats(filter: { not: ${filter} }) { count suppressed }
        listed: serviceRequests(filter: ${filter}, first: 1000) { totalCount nodes { id } }
      }`),
    );
    const listable = data.listed.nodes.length;
    // The public's own rows of the cell (withheld types excluded), counted from the ground truth.
    expect(listable).toBe(cell!.truth);
    expect(data.listed.totalCount).toBe(listable);
    if (data.all[0].count !== null && data.rest[0].count !== null) expect(data.all[0].count - data.rest[0].count).toBe(listable);
  });
});

// ---------------------------------------------------------------------------------------------

describe('error texts', () => {
  const other = Buffer.from('c1:AAAAAAAAAAAA:5').toString('base64url');
  const provocations = [
    '{ serviceRequests(after: "garbage") { nodes { id } } }',
    `{ serviceRequests(after: "${other}") { nodes { id } } }`,
    `{ serviceRequests(after: "${Buffer.from('c1:x:99999999999999999999').toString('base64url')}") { nodes { id } } }`,
    `{ serviceRequests(after: "${Buffer.from("c1:x:1' OR 1=1 --").toString('base64url')}") { nodes { id } } }`,
    '{ serviceRequests(first: 100000) { nodes { id } } }',
    '{ serviceRequests(first: -1) { nodes { id } } }',
    '{ serviceRequests(first: 1) { nodes { workOrders(first: 5000) { id } } } }',
    '{ serviceRequests(first: 2147483648) { nodes { id } } }',
    '{ serviceRequests(filter: { zipcode: { contains: "606" } }) { totalCount } }',
    '{ serviceRequests(filter: { zipcode: { eq: "not a number" } }) { totalCount } }',
    '{ serviceRequests(filter: { zipcode: { gt: "60608; drop table" } }) { totalCount } }',
    '{ serviceRequests(filter: { requestedAt: { gt: "yesterday" } }) { totalCount } }',
    '{ serviceRequests(filter: { requestedAt: { gt: "2024-13-45T99:99:99Z" } }) { totalCount } }',
    '{ serviceRequests(filter: { id: { eq: "\' OR 1=1 --" } }) { totalCount } }',
    '{ serviceRequests(filter: { serviceCode: { contains: "\\\\" } }) { totalCount } }',
    '{ serviceRequests(filter: { serviceCode: { contains: "%_!" } }) { totalCount } }',
    '{ serviceRequests(filter: { mediaUrl: { startsWith: "\\u0000" } }) { totalCount } }',
    '{ workOrders(filter: { id: { startsWith: "99" } }) { totalCount } }',
    '{ workOrders(filter: { serviceRequestId: { startsWith: "SR" } }) { totalCount } }',
    '{ workOrders(filter: { serviceRequestId: { eq: "not-a-case" } }) { totalCount } }',
    '{ workOrders(filter: { laborHours: { gt: 1e308 } }) { totalCount } }',
    '{ permits(filter: { housingUnits: { eq: 99999999999 } }) { totalCount } }',
    '{ permits(filter: { appliedDate: { eq: "2024-02-30" } }) { totalCount } }',
    '{ serviceRequest(id: "") { id } }',
    `{ serviceRequest(id: "${'9'.repeat(5000)}") { id } }`,
    '{ serviceRequestStats(groupBy: [SERVICE_CODE, SERVICE_CODE, STATUS, STATUS, ZIPCODE, SOURCE]) { count } }',
    '{ __type(name: "SR_CASE") { name } }',
    'query { serviceRequests(filter: $undeclared) { totalCount } }',
    '{ serviceRequests { nodes { id } } serviceRequests { totalCount } }',
    '{ serviceRequests',
  ];

  it('never carry a raw value, SQL, a stack, a connection string or an internal table or column name', async () => {
    const seen: string[] = [];
    for (const query of provocations) {
      const answer = await pub(query);
      if (answer.body?.errors) seen.push(query);
      const errors = JSON.stringify(answer.body?.errors ?? []);
      expect(errors, query).not.toMatch(INTERNALS);
      expect(errors).not.toContain(w.env.CIVICGRAPH_CRM_URL);
      expect(secretsIn(w.truth, answer.text, query), query).toEqual([]);
      for (const error of answer.body?.errors ?? []) expect(error.extensions?.stacktrace).toBeUndefined();
    }
    expect(seen.length).toBeGreaterThan(15); // most of them really are errors
  });

  it('the probes say nothing more: /readyz and /metrics carry no connection string or value', async () => {
    for (const path of ['/readyz', '/metrics', '/healthz']) {
      const response = await fetch(`${w.base}${path}`);
      const text = await response.text();
      expect(text, path).not.toMatch(/postgres(?:ql)?:\/\/|:5432|civicgraph_leaks_/);
      expect(secretsIn(w.truth, text), path).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('aliases, fragments and __typename', () => {
  it('hidden fields cannot be selected through aliases, inline or named fragments, or skipped directives', async () => {
    for (const query of [
      '{ serviceRequests(first: 3) { nodes { id phone: callerPhone } } }',
      '{ serviceRequests(first: 3) { nodes { id ... on ServiceRequest { callerPhone } } } }',
      '{ serviceRequests(first: 3) { nodes { id ...F } } } fragment F on ServiceRequest { n: internalNotes }',
      '{ serviceRequests(first: 3) { nodes { id callerEmail @include(if: false) } } }',
      '{ serviceRequests(first: 3) { nodes { id callerName @skip(if: true) } } }',
      '{ serviceRequests(first: 3) { edges { node { ... on ServiceRequest { ... on ServiceRequest { callerPhone } } } } } }',
      '{ workOrders(first: 3) { nodes { serviceRequest { ...F } } } } fragment F on ServiceRequest { callerPhone }',
      '{ permits(first: 3) { nodes { ... { contractorPhone } } } }',
      '{ serviceRequests(first: 3) { nodes { ... on Permit { contractorPhone } } } }',
    ]) {
      const answer = await pub(query);
      expectRefused(answer);
      expect(secretsIn(w.truth, answer.text), query).toEqual([]);
    }
  });

  it('__typename and aliases of visible fields reveal nothing beyond the visible values', async () => {
    const data = expectServed(
      await pub(`{ serviceRequests(first: 50, filter: { or: [{ id: { eq: "${PLANTED.chattyRequest}" } }, { serviceCode: { eq: "GRAFITI" } }] }) { __typename nodes { __typename t: __typename a: address b: address d: description } } }`),
    );
    expect(data.serviceRequests.__typename).toBe('ServiceRequestConnection');
    for (const node of data.serviceRequests.nodes) {
      expect(node.__typename).toBe('ServiceRequest');
      expect(node.a).toBe(node.b);
      expect(node.a).toMatch(/^\d+XX /);
      expect(secretsIn(w.truth, JSON.stringify(node))).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('authentication', () => {
  const probe = `{ serviceRequest(id: "${PLANTED.chattyRequest}") { id address } }`;

  it('refuses forged, unsigned, expired, wrong-audience and unknown-role tokens and unknown app tokens with 401 and no data', async () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['wrong secret', bearer(w.tokens.forged), /signature/],
      ['alg none', bearer(w.tokens.algNone), /algorithm|malformed/],
      ['expired', bearer(w.tokens.expired), /expired/],
      ['wrong audience', bearer(w.tokens.wrongAudience), /audience/],
      ['unknown role', bearer(w.tokens.unknownRole), /not a role/],
      ['department role without a department', bearer(w.tokens.departmentWithoutClaim), /department/],
      ['not a bearer token', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }, /Bearer/],
      ['unknown app token', { 'x-app-token': 'guessed-token-0000' }, /unknown app token/],
      ['app token with a forged JWT', { 'x-app-token': APP_TOKEN, ...bearer(w.tokens.forged) }, /signature/],
    ];
    for (const [what, headers, reason] of cases) {
      const answer = await postTo(w.base, probe, undefined, headers);
      expect(answer.status, what).toBe(401);
      expect(answer.body.data, what).toBeUndefined();
      expect(answer.body.errors[0].message, what).toMatch(reason);
      expect(answer.text, what).not.toContain(PLANTED.chattyRequest);
      expect(answer.text).not.toContain(JWT_SECRET_FRAGMENT);
    }
  });

  it('an app token gets exactly the public answers', async () => {
    const query = `{ serviceRequest(id: "${PLANTED.chattyRequest}") { id address description location { latitude } } __type(name: "ServiceRequest") { fields { name } } }`;
    const withToken = await app(query);
    const anonymous = await pub(query);
    expect(withToken.text).toBe(anonymous.text);
    expect(withToken.body.data.serviceRequest.address).toBe('11XX W 24TH ST');
  });

  it('staff read raw addresses but not the caller’s phone', async () => {
    const data = expectServed(await as(w.tokens.staff, `{ serviceRequest(id: "${PLANTED.chattyRequest}") { address description location { latitude longitude } } }`));
    expect(data.serviceRequest.address).toBe(normalizeAddress(PLANTED.chattyAddress));
    expect(data.serviceRequest.location).toEqual({ latitude: PLANTED.chattyLat, longitude: PLANTED.chattyLon });
    expectRefused(await as(w.tokens.staff, `{ serviceRequest(id: "${PLANTED.chattyRequest}") { callerPhone } }`));
    expectRefused(await as(w.tokens.staff, '{ permits(first: 1) { nodes { contractorPhone } } }'));
  });

  it('the 311 department reads the caller’s phone; other departments do not', async () => {
    const query = `{ serviceRequest(id: "${PLANTED.chattyRequest}") { callerPhone callerEmail callerName internalNotes } }`;
    const data = expectServed(await as(w.tokens.dept311, query));
    expect(data.serviceRequest).toEqual({
      callerPhone: PLANTED.chattyPhone,
      callerEmail: PLANTED.chattyEmail,
      callerName: PLANTED.chattyName.join(' '),
      internalNotes: byCase(PLANTED.chattyRequest).NOTES_TXT,
    });
    for (const token of [w.tokens.deptWorks, w.tokens.deptPermits]) {
      const answer = await as(token, query);
      expectRefused(answer);
      expect(secretsIn(w.truth, answer.text)).toEqual([]);
    }
    // …nor through a join from their own dataset into the 311 one.
    expectRefused(await as(w.tokens.deptWorks, `{ workOrder(id: "${PLANTED.workOrderFromPublic}") { serviceRequest { callerPhone } } }`));
    // The permits department reads its contractors' phones; the 311 department does not.
    expectServed(await as(w.tokens.deptPermits, '{ permits(first: 1) { nodes { contractorPhone } } }'));
    expectRefused(await as(w.tokens.dept311, '{ permits(first: 1) { nodes { contractorPhone } } }'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('audit', () => {
  async function auditAfter(run: () => Promise<unknown>): Promise<string[]> {
    const before = w.audit.length;
    await run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return w.audit.slice(before);
  }

  it('a 311 department read of callerPhone writes one JSON line with role, subject, type, fields and rows, and no value', async () => {
    let nodes: Array<Record<string, string | null>> = [];
    const lines = await auditAfter(async () => {
      const data = expectServed(await as(w.tokens.dept311, '{ serviceRequests(first: 25, filter: { callerPhone: { isNull: false } }) { nodes { id callerPhone serviceCode } } }'));
      nodes = data.serviceRequests.nodes;
    });
    expect(nodes).toHaveLength(25);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({
      role: 'department:311-customer-service',
      subject: 'probe-311-agent',
      datasets: [{ type: 'ServiceRequest', fields: ['callerPhone'], rows: 25 }],
    });
    expect(Number.isNaN(Date.parse(line.time))).toBe(false);
    for (const node of nodes) for (const value of Object.values(node)) if (value) expect(lines[0]).not.toContain(value);
    expect(secretsIn(w.truth, lines[0]!)).toEqual([]);
  });

  it('public requests, even ones touching transformed fields, write no audit line', async () => {
    const lines = await auditAfter(async () => {
      await pub('{ serviceRequests(first: 20) { nodes { id address description statusNotes location { latitude } } } }');
      await app('{ workOrders(first: 20) { nodes { id address serviceRequest { id address } } } }');
      await pub('{ serviceRequestStats(groupBy: [SERVICE_CODE]) { count } }');
    });
    expect(lines).toEqual([]);
  });

  it('a 311 department read of caller phones as statistics group keys is audited', async () => {
    let phones: string[] = [];
    const lines = await auditAfter(async () => {
      const data = expectServed(await as(w.tokens.dept311, '{ serviceRequestStats(filter: { callerPhone: { isNull: false } }, groupBy: [CALLER_PHONE]) { key { callerPhone } count } }'));
      phones = data.serviceRequestStats.map((group: { key: { callerPhone: string } }) => group.key.callerPhone);
    });
    expect(phones.length).toBeGreaterThan(10);
    expect(phones).toContain(PLANTED.chattyPhone);
    expect(lines, `${phones.length} raw caller phones were returned as group keys without an audit line`).toHaveLength(1);
    expect(JSON.parse(lines[0]!).datasets[0].fields).toContain('callerPhone');
  });

  it('a 311 department look-up by caller phone (the phone is the filter, not the selection) is audited', async () => {
    const lines = await auditAfter(async () => {
      const data = expectServed(await as(w.tokens.dept311, `{ serviceRequests(filter: { callerPhone: { eq: ${JSON.stringify(PLANTED.chattyPhone)} } }) { nodes { id requestedAt } } }`));
      expect(data.serviceRequests.nodes.map((node: { id: string }) => node.id)).toContain(PLANTED.chattyRequest);
    });
    expect(lines, 'the requests of one phone number were looked up without an audit line').toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('publication', () => {
  it('an internal dataset is invisible to the public (root fields, types, joins, catalog) and served to staff; a draft only to its department', async () => {
    const copy = await connectorsWithPublication({ 'public-works.yaml': 'internal', 'permits.yaml': 'draft' });
    const audit: string[] = [];
    const logs: string[] = [];
    const { running, base } = await startGateway(copy.dir, w.env, audit, logs);
    try {
      const introspection = getIntrospectionQuery();
      const publicSchema = await postTo(base, introspection);
      expectServed(publicSchema);
      expect(publicSchema.text).not.toMatch(/WorkOrder|workOrder|Permit|permit/);
      for (const query of [
        '{ workOrders(first: 1) { nodes { id } } }',
        `{ workOrder(id: "${PLANTED.workOrderFromPublic}") { id } }`,
        '{ workOrderStats { count } }',
        '{ serviceRequests(first: 1) { nodes { workOrders { id } } } }',
        '{ permits(first: 1) { nodes { id } } }',
        '{ address(line: "1163 W 24TH ST") { line } }',
      ]) {
        expectRefused(await postTo(base, query));
      }
      const catalog = expectServed(await postTo(base, '{ catalog { dataset { identifier } } }'));
      expect(catalog.catalog.dataset.map((dataset: { identifier: string }) => dataset.identifier)).toEqual(['ServiceRequest']);
      const withToken = await postTo(base, introspection, undefined, { 'x-app-token': APP_TOKEN });
      expect(withToken.text).toBe(publicSchema.text);

      // Staff: the internal dataset and the join into it; not the draft.
      const staff = expectServed(
        await postTo(base, `{ workOrder(id: "${PLANTED.workOrderFromPublic}") { id serviceRequest { id } } serviceRequests(first: 1) { nodes { workOrders { id } } } catalog { dataset { identifier } } }`, undefined, bearer(w.tokens.staff)),
      );
      expect(staff.workOrder.id).toBe(String(PLANTED.workOrderFromPublic));
      expect(staff.catalog.dataset.map((dataset: { identifier: string }) => dataset.identifier).sort()).toEqual(['ServiceRequest', 'WorkOrder']);
      expectRefused(await postTo(base, '{ permits(first: 1) { nodes { id } } }', undefined, bearer(w.tokens.staff)));
      // The draft: its own department only, not another department.
      expectServed(await postTo(base, '{ permits(first: 1) { nodes { id contractorPhone } } }', undefined, bearer(w.tokens.deptPermits)));
      expectRefused(await postTo(base, '{ permits(first: 1) { nodes { id } } }', undefined, bearer(w.tokens.dept311)));
      expect(audit.join('\n')).not.toMatch(/"role":"public"/);
    } finally {
      await running.stop();
      await copy.remove();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('every public answer of this suite', () => {
  it('a broad read of every public row shows no secret, no exact request location and no withheld row', async () => {
    const query = (after?: string) =>
      `{ serviceRequests(first: 1000${after ? `, after: "${after}"` : ''}) { pageInfo { hasNextPage endCursor } nodes {
        id status statusDescription statusNotes serviceCode serviceName description agencyResponsible requestedAt updatedAt expectedAt closedAt
        address zipcode location { latitude longitude } mediaUrl source workOrders(first: 10) { id address location { latitude longitude } description }
      } } }`;
    let after: string | undefined;
    let rows = 0;
    for (;;) {
      const answer = await pub(query(after));
      const page = expectServed(answer).serviceRequests;
      rows += page.nodes.length;
      for (const node of page.nodes) {
        if (node.location) for (const part of [node.location.latitude, node.location.longitude]) expect(String(part)).toMatch(/^-?\d+(\.\d{1,3})?$/);
        if (node.address !== null) expect(node.address).toMatch(/^(?:\d*XX |\D)/);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(rows).toBe(publicTruth().length);
  });

  it('no answer to a public caller holds a caller’s name, phone or e-mail, an internal note, a contractor’s phone or a withheld request', () => {
    expect(w.publicAnswers.length).toBeGreaterThan(100);
    const leaks = new Map<string, string>();
    for (const { request, text } of w.publicAnswers) for (const leak of secretsIn(w.truth, text, request)) if (!leaks.has(leak)) leaks.set(leak, request.slice(0, 100));
    expect([...leaks].map(([leak, request]) => `${leak}  ←  first in: ${request}`)).toEqual([]);
  });

  it('no answer to a public caller about requests holds an exact request address or coordinate', () => {
    // Permits are public records, addresses and coordinates included: answers about them are left out.
    const aboutRequests = w.publicAnswers.filter(({ request }) => !/permit|address\(/i.test(request));
    expect(aboutRequests.length).toBeGreaterThan(100);
    const leaks = aboutRequests.flatMap(({ request, text }) => exactLocationsIn(w.truth, text, request).map((leak) => `${leak}  ←  ${request.slice(0, 120)}`));
    expect(leaks).toEqual([]);
  });

  it('a withheld case number never shows, from the 311 dataset or on a work order (serviceRequestId)', () => {
    const withheld = w.truth.withheldRequests.map((row) => row.CASE_NO);
    const leaks = w.publicAnswers.flatMap(({ request, text }) =>
      withheld.filter((caseNo) => text.includes(caseNo) && !request.includes(caseNo)).map((caseNo) => `${caseNo} ← ${request.slice(0, 120)}`),
    );
    expect(leaks).toEqual([]);
    expect(shortCase(homeless().CASE_NO)).toMatch(/^24-\d+$/);
  });
});
