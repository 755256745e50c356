/**
 * Riverton Public Works work management (a Cityworks-style database): table `workorder`,
 * lower-case names, numeric ids from 400000, addresses spelled out in title case, and the
 * originating 311 case kept in the short form '24-12345'. Work orders are derived from the
 * generated service requests, so every `srnumber` names a real case of a matching type,
 * created before the work order, at every scale — cases withheld from the public too: crews
 * clear encampments after homelessness outreach and haul debris after senior well-being checks.
 */
import type { Address } from '../city.js';
import { worksAddress } from '../city.js';
import { Random } from '../random.js';
import { col, type DemoTable, type DemoValue, type TableSpec } from '../table.js';
import { DAY, FIRST_DAY, HOUR, MINUTE, SNAPSHOT, formatTimestamp, monthOf, skipDstGap, toWorkingHours, weekdayOf } from '../time.js';
import type { SrCase, SrTypeCode } from './crm-311.js';

export type WorkOrderStatus = 'OPEN' | 'ASSIGNED' | 'INPROG' | 'COMPLETE' | 'CLOSED' | 'CANCEL';
export type DeptCode = 'STR' | 'SAN' | 'FOR' | 'WTR' | 'ELC' | 'HLT';

export interface WorkType {
  name: string;
  dept: DeptCode;
  /** Median labour hours of one work order. */
  hours: number;
  /** Median cost of materials and equipment. */
  materials: number;
  descriptions: readonly string[];
}

const WORK_TYPES: Record<string, WorkType> = {
  'POTHOLE REPAIR': { name: 'POTHOLE REPAIR', dept: 'STR', hours: 1.5, materials: 60, descriptions: ['Patch pothole', 'Pothole repair - hot mix asphalt', 'Cold patch pothole', 'Fill potholes on block', 'Saw cut and patch pavement failure'] },
  'STREETLIGHT REPAIR': { name: 'STREETLIGHT REPAIR', dept: 'ELC', hours: 2.5, materials: 180, descriptions: ['Replace lamp', 'Replace photocell', 'Troubleshoot circuit', 'Replace LED fixture', 'Repair knocked down pole'] },
  'GRAFFITI REMOVAL': { name: 'GRAFFITI REMOVAL', dept: 'SAN', hours: 1.5, materials: 40, descriptions: ['Remove graffiti - pressure wash', 'Paint over graffiti', 'Remove graffiti with solvent'] },
  'BULK PICKUP': { name: 'BULK PICKUP', dept: 'SAN', hours: 0.75, materials: 15, descriptions: ['Collect bulk items at curb', 'Bulk pickup - furniture', 'Bulk pickup - appliances, remove freon'] },
  'ILLEGAL DUMPING CLEANUP': { name: 'ILLEGAL DUMPING CLEANUP', dept: 'SAN', hours: 2, materials: 90, descriptions: ['Remove dumped debris', 'Clean up dumped tires', 'Remove dumped construction debris', 'Alley cleanup'] },
  'TREE TRIM': { name: 'TREE TRIM', dept: 'FOR', hours: 4, materials: 50, descriptions: ['Trim parkway tree', 'Clearance pruning over sidewalk', 'Raise canopy over street', 'Remove dead limbs'] },
  'TREE DEBRIS REMOVAL': { name: 'TREE DEBRIS REMOVAL', dept: 'FOR', hours: 3, materials: 40, descriptions: ['Remove storm debris', 'Chip downed limbs', 'Clear fallen branch from street'] },
  'WATER MAIN REPAIR': { name: 'WATER MAIN REPAIR', dept: 'WTR', hours: 14, materials: 2200, descriptions: ['Repair water main break', 'Replace main section', 'Install repair clamp on main', 'Repair service line leak', 'Exercise and repair valve'] },
  'SEWER CLEANING': { name: 'SEWER CLEANING', dept: 'WTR', hours: 4, materials: 120, descriptions: ['Rod sewer main', 'Jet sewer line', 'Clean catch basin', 'Televise sewer line'] },
  'RODENT BAITING': { name: 'RODENT BAITING', dept: 'HLT', hours: 1, materials: 25, descriptions: ['Bait burrows in alley', 'Bait block and inspect', 'Rodent inspection and baiting'] },
  'SIDEWALK REPAIR': { name: 'SIDEWALK REPAIR', dept: 'STR', hours: 8, materials: 650, descriptions: ['Replace sidewalk slabs', 'Grind trip hazard', 'Temporary asphalt ramp', 'Replace curb ramp'] },
  'SIGNAL REPAIR': { name: 'SIGNAL REPAIR', dept: 'ELC', hours: 3, materials: 300, descriptions: ['Repair signal controller', 'Replace signal head', 'Replace pedestrian push button', 'Reset signal timing'] },
  // Work after an outreach visit: the 311 case behind it is withheld from the public.
  'ENCAMPMENT CLEANUP': { name: 'ENCAMPMENT CLEANUP', dept: 'SAN', hours: 5, materials: 140, descriptions: ['Encampment cleanup after outreach visit', 'Remove abandoned belongings and debris', 'Clean underpass after outreach'] },
  'DEBRIS REMOVAL': { name: 'DEBRIS REMOVAL', dept: 'SAN', hours: 3, materials: 70, descriptions: ['Remove debris from yard', 'Clear porch and walkway', 'Haul away accumulated debris'] },
  // Planned work: no 311 origin.
  'STREET SWEEPING': { name: 'STREET SWEEPING', dept: 'STR', hours: 6, materials: 80, descriptions: ['Sweep route', 'Scheduled street sweeping', 'Sweep after event'] },
  'HYDRANT INSPECTION': { name: 'HYDRANT INSPECTION', dept: 'WTR', hours: 1, materials: 10, descriptions: ['Annual hydrant inspection', 'Flush and inspect hydrant', 'Paint and inspect hydrant'] },
  'CATCH BASIN CLEANING': { name: 'CATCH BASIN CLEANING', dept: 'WTR', hours: 2, materials: 30, descriptions: ['Scheduled catch basin cleaning', 'Vactor catch basins on route'] },
  'TREE PLANTING': { name: 'TREE PLANTING', dept: 'FOR', hours: 3, materials: 250, descriptions: ['Plant parkway tree', 'Replacement planting', 'Plant trees on block'] },
  'STREETLIGHT INSPECTION': { name: 'STREETLIGHT INSPECTION', dept: 'ELC', hours: 2, materials: 20, descriptions: ['Night patrol of street lights', 'Pole inspection'] },
  'MOSQUITO LARVICIDING': { name: 'MOSQUITO LARVICIDING', dept: 'HLT', hours: 2.5, materials: 120, descriptions: ['Treat catch basins with larvicide', 'Larvicide standing water'] },
};

/** Which work a 311 request type spawns, and how often a completed request of that type does. */
export const WORK_FOR_REQUEST: Partial<Record<SrTypeCode, { workType: string; probability: number }>> = {
  PTHOLE: { workType: 'POTHOLE REPAIR', probability: 0.55 },
  STRTLGT: { workType: 'STREETLIGHT REPAIR', probability: 0.6 },
  GRAFITI: { workType: 'GRAFFITI REMOVAL', probability: 0.35 },
  BULKPKUP: { workType: 'BULK PICKUP', probability: 0.3 },
  ILLDUMP: { workType: 'ILLEGAL DUMPING CLEANUP', probability: 0.4 },
  TREETRIM: { workType: 'TREE TRIM', probability: 0.5 },
  TREEDEB: { workType: 'TREE DEBRIS REMOVAL', probability: 0.4 },
  WATRLEAK: { workType: 'WATER MAIN REPAIR', probability: 0.8 },
  SEWRBACK: { workType: 'SEWER CLEANING', probability: 0.7 },
  RODENT: { workType: 'RODENT BAITING', probability: 0.35 },
  SIDEWALK: { workType: 'SIDEWALK REPAIR', probability: 0.45 },
  TRAFSIG: { workType: 'SIGNAL REPAIR', probability: 0.85 },
  HOMELESS: { workType: 'ENCAMPMENT CLEANUP', probability: 0.5 },
  ELDERCHK: { workType: 'DEBRIS REMOVAL', probability: 0.4 },
};

/**
 * Request types whose work orders are drawn from their own random stream, so that adding them
 * left every other generated work order as it was.
 */
const OWN_STREAM: ReadonlySet<SrTypeCode> = new Set(['HOMELESS', 'ELDERCHK']);

/** Planned work types, with their relative frequency and the months they are done in. */
const PLANNED: ReadonlyArray<readonly [string, number, readonly number[]]> = [
  ['STREET SWEEPING', 35, [4, 5, 6, 7, 8, 9, 10, 11]],
  ['HYDRANT INSPECTION', 25, [4, 5, 6, 7, 8, 9, 10]],
  ['CATCH BASIN CLEANING', 15, [3, 4, 5, 6, 7, 8, 9, 10, 11]],
  ['STREETLIGHT INSPECTION', 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
  ['TREE PLANTING', 8, [4, 5, 10, 11]],
  ['MOSQUITO LARVICIDING', 7, [6, 7, 8, 9]],
];

/** Share of all work orders that are planned work with no 311 origin. */
const PLANNED_SHARE = 0.15;

const CREWS: Record<DeptCode, readonly [number, number]> = {
  STR: [1, 12], SAN: [13, 20], FOR: [21, 26], WTR: [27, 34], ELC: [35, 38], HLT: [39, 40],
};
const HOURLY_RATE: Record<DeptCode, number> = { STR: 72, SAN: 64, FOR: 78, WTR: 86, ELC: 92, HLT: 61 };

export interface WorkOrder {
  id: number;
  workType: WorkType;
  status: WorkOrderStatus;
  description: string;
  crew: string | null;
  initiated: number;
  finished: number | null;
  address: Address;
  x: number;
  y: number;
  srNumber: string | null;
  laborHours: number | null;
  totalCost: number | null;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const toSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

function costs(random: Random, workType: WorkType, share: number): { laborHours: number; totalCost: number } {
  const laborHours = round2(Math.max(0.25, random.logNormal(workType.hours, 0.5) * share));
  const materials = random.logNormal(workType.materials, 0.6) * share;
  return { laborHours, totalCost: round2(laborHours * HOURLY_RATE[workType.dept] + materials) };
}

function crewFor(random: Random, dept: DeptCode): string {
  const [from, to] = CREWS[dept];
  return `CREW ${String(random.int(from, to)).padStart(2, '0')}`;
}

function describe(random: Random, workType: WorkType, srNumber: string | null): string {
  const text = random.pick(workType.descriptions);
  return srNumber !== null && random.chance(0.3) ? `${text} per SR ${srNumber}` : text;
}

type Draft = Omit<WorkOrder, 'id'>;

function fromRequest(random: Random, sr: SrCase, drafts: Draft[]): void {
  const rule = WORK_FOR_REQUEST[sr.type.code];
  if (!rule) return;
  const workType = WORK_TYPES[rule.workType] as WorkType;
  const p = rule.probability * 0.75;
  const spawn =
    sr.status === 'C' ? random.chance(p)
    : sr.status === 'IP' ? random.chance(Math.min(1, p * 1.4))
    : sr.status === 'O' ? random.chance(p * 0.5)
    : sr.status === 'X' ? random.chance(0.05)
    : false;
  if (!spawn) return;

  const place = (): Pick<Draft, 'address' | 'x' | 'y'> => ({
    address: sr.address,
    x: Math.round((sr.address.lon + random.float(-0.00015, 0.00015)) * 1e7) / 1e7,
    y: Math.round((sr.address.lat + random.float(-0.0001, 0.0001)) * 1e7) / 1e7,
  });
  const base = { workType, srNumber: sr.shortNo };

  if (sr.status === 'C' && sr.closed !== null) {
    const count = 1 + (random.chance(0.12) ? 1 : 0) + (random.chance(0.03) ? 1 : 0);
    const span = sr.closed - sr.created;
    const points = Array.from({ length: 2 * count }, () => random.float(0.02, 0.98)).sort((a, b) => a - b);
    const crew = crewFor(random, workType.dept);
    for (let k = 0; k < count; k++) {
      let initiated = skipDstGap(toSecond(sr.created + span * (points[2 * k] as number)));
      let finished = Math.max(initiated + MINUTE, skipDstGap(toSecond(sr.created + span * (points[2 * k + 1] as number))));
      // Crews work days: move times into working hours where the request's own closing allows.
      const workFinish = toWorkingHours(random, finished);
      if (workFinish <= sr.closed) finished = workFinish;
      const workStart = toWorkingHours(random, initiated);
      if (workStart < finished) initiated = workStart;
      // A crew of about three needs at least a third of the labour hours on site.
      const work = costs(random, workType, 1);
      finished = Math.max(finished, Math.min(sr.closed, toSecond(initiated + (work.laborHours / 3) * HOUR)));
      const closed = SNAPSHOT - finished > 30 * DAY && random.chance(0.8);
      drafts.push({
        ...base,
        ...place(),
        ...work,
        status: closed ? 'CLOSED' : 'COMPLETE',
        description: describe(random, workType, sr.shortNo),
        crew: random.chance(0.85) ? crew : crewFor(random, workType.dept),
        initiated,
        finished,
      });
    }
    return;
  }

  const end = sr.closed ?? SNAPSHOT;
  const initiated = skipDstGap(toSecond(sr.created + (end - sr.created) * random.float(0.05, 0.6)));
  const status: WorkOrderStatus =
    sr.status === 'X' ? 'CANCEL'
    : sr.status === 'IP' ? random.weighted([['INPROG', 7], ['ASSIGNED', 3]] as const)
    : random.weighted([['OPEN', 6], ['ASSIGNED', 4]] as const);
  const partial = status === 'INPROG' ? costs(random, workType, random.float(0.2, 0.7)) : { laborHours: null, totalCost: null };
  drafts.push({
    ...base,
    ...place(),
    ...partial,
    status,
    description: describe(random, workType, sr.shortNo),
    crew: status === 'OPEN' ? null : crewFor(random, workType.dept),
    initiated,
    finished: null,
  });
}

function planned(random: Random, addresses: readonly Address[], count: number, drafts: Draft[]): void {
  const days = Math.floor((SNAPSHOT - FIRST_DAY) / DAY) + 1;
  for (let i = 0; i < count; i++) {
    const [name, , months] = random.weighted(PLANNED.map((p) => [p, p[1]] as const));
    const workType = WORK_TYPES[name] as WorkType;
    let day: number;
    do day = FIRST_DAY + random.int(0, days - 1) * DAY;
    while (!months.includes(monthOf(day)) || weekdayOf(day) === 0 || weekdayOf(day) === 6);
    const initiated = day + 6 * HOUR + random.int(30, 150) * MINUTE;
    const work = costs(random, workType, 1);
    const finished = initiated + Math.max(0.5, work.laborHours * random.float(0.6, 1.2)) * HOUR;
    const address = random.pick(addresses);
    const base = {
      workType,
      address,
      x: Math.round((address.lon + random.float(-0.0003, 0.0003)) * 1e7) / 1e7,
      y: Math.round((address.lat + random.float(-0.0002, 0.0002)) * 1e7) / 1e7,
      srNumber: null,
      description: describe(random, workType, null),
      crew: crewFor(random, workType.dept),
      initiated: skipDstGap(initiated),
    };
    if (finished > SNAPSHOT) {
      drafts.push({ ...base, status: 'ASSIGNED', finished: null, laborHours: null, totalCost: null });
    } else if (random.chance(0.02)) {
      drafts.push({ ...base, status: 'CANCEL', finished: null, laborHours: null, totalCost: null });
    } else {
      const closed = SNAPSHOT - finished > 30 * DAY && random.chance(0.8);
      drafts.push({ ...base, ...work, status: closed ? 'CLOSED' : 'COMPLETE', finished: skipDstGap(toSecond(finished)) });
    }
  }
}

/** Generates the work orders, numbered in order of initiation from 400001. */
export function generateWorkOrders(cases: readonly SrCase[], addresses: readonly Address[]): WorkOrder[] {
  const random = new Random('riverton-public-works');
  const outreach = new Random('riverton-public-works-outreach');
  const drafts: Draft[] = [];
  for (const sr of cases) fromRequest(OWN_STREAM.has(sr.type.code) ? outreach : random, sr, drafts);
  planned(random, addresses, Math.round((drafts.length * PLANNED_SHARE) / (1 - PLANNED_SHARE)), drafts);
  // Stable sort: ties keep generation order.
  drafts.sort((a, b) => a.initiated - b.initiated);
  let id = 400_000;
  return drafts.map((d) => {
    id += random.chance(0.01) ? random.int(2, 5) : 1;
    return { id, ...d };
  });
}

export const WORKORDER_TABLE: TableSpec = {
  name: 'workorder',
  columns: [
    col('workorderid', 'integer'),
    col('worktype', 'varchar(40)'),
    col('status', 'varchar(10)'),
    col('descript', 'varchar(255)', true),
    col('dept', 'varchar(3)'),
    col('crew', 'varchar(10)', true),
    col('initiatedate', 'timestamp without time zone'),
    col('actualfinishdate', 'timestamp without time zone', true),
    col('location', 'varchar(120)', true),
    col('woxcoord', 'double precision', true),
    col('woycoord', 'double precision', true),
    col('srnumber', 'varchar(12)', true),
    col('laborhours', 'numeric(6,2)', true),
    col('totalcost', 'numeric(10,2)', true),
  ],
  primaryKey: ['workorderid'],
  indexes: [['srnumber'], ['initiatedate'], ['status']],
};

export function publicWorksTables(orders: readonly WorkOrder[]): DemoTable[] {
  const rows: DemoValue[][] = orders.map((w) => [
    w.id,
    w.workType.name,
    w.status,
    w.description,
    w.workType.dept,
    w.crew,
    formatTimestamp(w.initiated),
    w.finished === null ? null : formatTimestamp(w.finished),
    worksAddress(w.address),
    w.x,
    w.y,
    w.srNumber,
    w.laborHours,
    w.totalCost,
  ]);
  return [{ spec: WORKORDER_TABLE, rows }];
}
