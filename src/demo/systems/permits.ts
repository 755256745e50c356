/**
 * Riverton permitting (an Accela-style database): table B1PERMIT with the composite
 * internal id B1_PER_ID1..3 ('24CAP', '00000', '01234'), the public alternate id
 * B1_ALT_ID ('BLD2024-01234'), addresses stored in parts, and calendar dates.
 */
import type { Address } from '../city.js';
import { CITY, STATE } from '../city.js';
import { apportion, Random, WeightedIndex } from '../random.js';
import { col, type DemoTable, type DemoValue, type TableSpec } from '../table.js';
import { fill, fictionalPhone, type Fillers } from '../text.js';
import { DAY, FIRST_DAY, SNAPSHOT, formatDate, monthOf, nextWeekday, startOfDay, weekdayOf, yearOf } from '../time.js';

export type PermitClass = 'Residential' | 'Multi-Family' | 'Commercial';
export type PermitSubType = 'Building' | 'Demolition' | 'Electrical' | 'Mechanical' | 'Plumbing' | 'Roofing' | 'Fence' | 'Grading' | 'Pool';
export type WorkCategory = 'New Construction' | 'Addition' | 'Alteration' | 'Repair' | 'Demolition';
export type PermitStatus = 'Received' | 'Plan Review' | 'Issued' | 'Inspections' | 'Finaled' | 'Void' | 'Withdrawn' | 'Expired';

/** Permits at scale 1. */
export const PERMIT_COUNT = 21_000;

interface SubTypeRule {
  prefix: string;
  trade: string;
  licensePrefix: string;
  categories: ReadonlyArray<readonly [WorkCategory, number]>;
  /** Median working days from application to issue. */
  reviewDays: number;
  /** Median calendar days from issue to final inspection. */
  workDays: number;
  /** Multiplier per month, January first. */
  season: readonly number[];
}

const OUTDOOR = [0.4, 0.5, 0.9, 1.4, 1.6, 1.6, 1.5, 1.4, 1.2, 1.0, 0.6, 0.4] as const;
const EVEN = [0.8, 0.8, 1.0, 1.1, 1.1, 1.1, 1.1, 1.1, 1.0, 1.0, 0.9, 0.8] as const;

const SUB_TYPES: Record<PermitSubType, SubTypeRule> = {
  Building: { prefix: 'BLD', trade: 'General Contractor', licensePrefix: 'GC', categories: [['New Construction', 14], ['Addition', 20], ['Alteration', 50], ['Repair', 16]], reviewDays: 12, workDays: 120, season: EVEN },
  Demolition: { prefix: 'DEM', trade: 'Demolition Contractor', licensePrefix: 'DC', categories: [['Demolition', 1]], reviewDays: 6, workDays: 30, season: EVEN },
  Electrical: { prefix: 'ELE', trade: 'Electrical Contractor', licensePrefix: 'EC', categories: [['Alteration', 55], ['Repair', 30], ['New Construction', 15]], reviewDays: 1.5, workDays: 30, season: EVEN },
  Mechanical: { prefix: 'MEC', trade: 'Mechanical Contractor', licensePrefix: 'MC', categories: [['Alteration', 60], ['Repair', 25], ['New Construction', 15]], reviewDays: 1.5, workDays: 21, season: [1.3, 1.1, 0.9, 0.9, 1.0, 1.3, 1.3, 1.1, 0.9, 1.0, 1.1, 1.2] },
  Plumbing: { prefix: 'PLM', trade: 'Plumbing Contractor', licensePrefix: 'PC', categories: [['Alteration', 50], ['Repair', 40], ['New Construction', 10]], reviewDays: 1.5, workDays: 25, season: EVEN },
  Roofing: { prefix: 'ROF', trade: 'Roofing Contractor', licensePrefix: 'RC', categories: [['Repair', 60], ['Alteration', 40]], reviewDays: 1, workDays: 14, season: OUTDOOR },
  Fence: { prefix: 'FNC', trade: 'Fence Contractor', licensePrefix: 'FC', categories: [['New Construction', 85], ['Repair', 15]], reviewDays: 2, workDays: 14, season: OUTDOOR },
  Grading: { prefix: 'GRD', trade: 'Excavation Contractor', licensePrefix: 'XC', categories: [['New Construction', 70], ['Alteration', 30]], reviewDays: 10, workDays: 60, season: OUTDOOR },
  Pool: { prefix: 'POL', trade: 'Pool Contractor', licensePrefix: 'SP', categories: [['New Construction', 85], ['Repair', 15]], reviewDays: 8, workDays: 45, season: [0.2, 0.3, 0.8, 1.6, 2.0, 1.8, 1.4, 1.0, 0.7, 0.5, 0.3, 0.2] },
};

const SUB_TYPE_MIX: Record<PermitClass, ReadonlyArray<readonly [PermitSubType, number]>> = {
  Residential: [['Building', 20], ['Electrical', 15], ['Mechanical', 14], ['Plumbing', 11], ['Roofing', 18], ['Fence', 12], ['Pool', 4], ['Demolition', 3], ['Grading', 3]],
  'Multi-Family': [['Building', 25], ['Electrical', 20], ['Mechanical', 18], ['Plumbing', 18], ['Roofing', 12], ['Fence', 2], ['Pool', 1], ['Demolition', 2], ['Grading', 2]],
  Commercial: [['Building', 35], ['Electrical', 20], ['Mechanical', 18], ['Plumbing', 12], ['Roofing', 8], ['Fence', 2], ['Pool', 0.5], ['Demolition', 3], ['Grading', 2]],
};

const GROWTH: Record<number, number> = { 2019: 0.95, 2020: 0.85, 2021: 1.05, 2022: 1.05, 2023: 1.0, 2024: 1.05 };
const MONTH = [0.6, 0.7, 0.95, 1.2, 1.3, 1.3, 1.25, 1.2, 1.1, 1.0, 0.75, 0.6];

const FILLERS: Fillers = {
  amps: ['100', '150', '200', '400'],
  tons: ['2', '2.5', '3', '3.5', '4', '5'],
  squares: ['18', '22', '26', '30', '34', '40'],
  feet: ['60', '90', '120', '150', '180', '240'],
  height: ['4', '5', '6'],
  fence: ['wood privacy', 'chain link', 'vinyl', 'aluminum ornamental'],
  room: ['kitchen', 'basement', 'bathroom', 'attic', 'primary suite'],
  stories: ['1', '1.5', '2'],
  beds: ['2', '3', '4'],
  addition: ['one-story rear addition', 'two-story side addition', 'attached garage', 'sunroom', 'covered porch', 'second-floor dormer'],
  tenant: ['restaurant', 'retail store', 'dental office', 'coffee shop', 'fitness studio', 'office suite', 'salon', 'bank branch'],
  fixture: ['water heater', 'sewer lateral', 'water service line', 'backflow preventer', 'gas line to range', 'sump pump'],
  hvac: ['furnace and air conditioner', 'furnace', 'air conditioner condenser', 'heat pump', 'boiler', 'rooftop unit', 'ductless mini-split'],
  repair: ['fire damage', 'storm damage', 'foundation crack', 'rotted floor joists', 'porch and steps', 'water damage'],
  pool: ['in-ground vinyl', 'in-ground concrete', 'above-ground'],
};

const DESCRIPTIONS: Record<PermitSubType, Partial<Record<WorkCategory, readonly string[]>>> = {
  Building: {
    'New Construction': ['Construct new single-family dwelling, {stories} stories, {beds} bedrooms.', 'New construction per approved plans.', 'New detached garage, 24 x 24.'],
    Addition: ['Construct {addition}.', 'Build {addition} per plans.'],
    Alteration: ['Interior remodel of {room}.', 'Remodel {room}, no structural changes.', 'Tenant build-out for {tenant}.', 'Interior alterations for {tenant}.', 'Replace windows and exterior doors.'],
    Repair: ['Repair {repair}.', 'Structural repair of {repair}.'],
  },
  Demolition: { Demolition: ['Demolish detached garage.', 'Demolish vacant dwelling to slab.', 'Wreck and remove fire-damaged structure.', 'Interior demolition only.'] },
  Electrical: {
    Alteration: ['Upgrade service to {amps} amp.', 'Replace panel, {amps} amp service.', 'Rewire {room}.', 'Install EV charger circuit.'],
    Repair: ['Repair service mast after storm.', 'Replace damaged wiring.', 'Repair meter base.'],
    'New Construction': ['Wiring for new construction, {amps} amp service.', 'Electrical for {tenant} build-out.', 'Install solar photovoltaic system, 8 kW.'],
  },
  Mechanical: {
    Alteration: ['Replace {hvac}.', 'Change out {hvac}, {tons} ton.', 'Install {hvac}.'],
    Repair: ['Repair {hvac}.', 'Replace heat exchanger.'],
    'New Construction': ['HVAC for new construction, {tons} ton.', 'Mechanical for {tenant} build-out.'],
  },
  Plumbing: {
    Alteration: ['Replace {fixture}.', 'Re-pipe {room}.', 'Install {fixture}.'],
    Repair: ['Repair {fixture}.', 'Replace broken {fixture}.'],
    'New Construction': ['Plumbing rough-in for new construction.', 'Plumbing for {tenant} build-out.'],
  },
  Roofing: {
    Repair: ['Tear-off and re-roof, {squares} squares, architectural shingles.', 'Roof repair after hail storm, {squares} squares.'],
    Alteration: ['Re-roof {squares} squares, replace decking as needed.', 'Install new membrane roof, {squares} squares.'],
  },
  Fence: {
    'New Construction': ['Install {height} ft {fence} fence, {feet} linear feet.', 'New {fence} fence along rear property line, {feet} LF.'],
    Repair: ['Replace damaged {fence} fence sections.'],
  },
  Grading: {
    'New Construction': ['Site grading and drainage for new construction.', 'Excavation and grading for foundation.'],
    Alteration: ['Regrade rear yard to correct drainage.', 'Install driveway and regrade.'],
  },
  Pool: {
    'New Construction': ['Install {pool} swimming pool with fence and alarm.', 'New {pool} pool and deck.'],
    Repair: ['Replace pool liner and pump.', 'Repair pool deck and barrier.'],
  },
};

/** [median valuation, spread] by sub-type and work category. */
function valuation(random: Random, sub: PermitSubType, category: WorkCategory, cls: PermitClass, units: number): number {
  const scale = cls === 'Commercial' ? 3 : cls === 'Multi-Family' ? 2 : 1;
  let median: number;
  switch (sub) {
    case 'Building':
      median = category === 'New Construction'
        ? cls === 'Residential' ? 285_000 : cls === 'Multi-Family' ? 160_000 * Math.max(2, units) : 1_800_000
        : category === 'Addition' ? 65_000 * scale
        : category === 'Alteration' ? 35_000 * scale * scale
        : 12_000 * scale;
      break;
    case 'Demolition': median = 15_000 * scale; break;
    case 'Electrical': median = 3_500 * scale; break;
    case 'Mechanical': median = 7_000 * scale; break;
    case 'Plumbing': median = 4_000 * scale; break;
    case 'Roofing': median = 12_000 * scale; break;
    case 'Fence': median = 4_500; break;
    case 'Grading': median = 20_000 * scale; break;
    case 'Pool': median = 45_000; break;
  }
  const value = random.logNormal(median, 0.55);
  // Applicants round: most valuations are whole hundreds, some exact to the cent.
  return random.chance(0.8) ? Math.max(100, Math.round(value / 100) * 100) : Math.round(value * 100) / 100;
}

interface Contractor {
  name: string;
  phone: string;
  license: string;
  trade: string;
}

const COMPANY_WORDS = ['Prairie', 'Riverton', 'Sangamon', 'Lincoln', 'Heartland', 'Capitol', 'Midwest', 'Northside', 'Bluff City', 'Oak Grove', 'Cornerstone', 'Keystone', 'Summit', 'Liberty', 'Pioneer', 'Frontier', 'Eagle', 'Meridian', 'Ridgeview', 'Lakeland', 'Fox', 'Hometown', 'Precision', 'Quality', 'Reliable'];
const TRADE_WORDS: Record<string, readonly string[]> = {
  'General Contractor': ['Builders', 'Construction', 'Homes', 'Building Group', 'Contracting', 'Remodeling'],
  'Demolition Contractor': ['Demolition', 'Wrecking', 'Excavating & Demolition'],
  'Electrical Contractor': ['Electric', 'Electrical Services', 'Power & Light'],
  'Mechanical Contractor': ['Heating & Cooling', 'Mechanical', 'HVAC', 'Comfort Systems'],
  'Plumbing Contractor': ['Plumbing', 'Plumbing & Sewer', 'Rooter & Plumbing'],
  'Roofing Contractor': ['Roofing', 'Roofing & Exteriors', 'Roof Systems'],
  'Fence Contractor': ['Fence', 'Fence & Deck'],
  'Excavation Contractor': ['Excavating', 'Earthworks', 'Site Development'],
  'Pool Contractor': ['Pools', 'Pool & Spa'],
};
const ENTITIES = ['LLC', 'Inc.', 'Co.', 'Corp.', 'LLC', 'Inc.', ''];

function contractors(random: Random): Map<string, { list: Contractor[]; index: WeightedIndex }> {
  const counts: Record<string, number> = {
    'General Contractor': 40, 'Demolition Contractor': 6, 'Electrical Contractor': 24, 'Mechanical Contractor': 20,
    'Plumbing Contractor': 18, 'Roofing Contractor': 18, 'Fence Contractor': 8, 'Excavation Contractor': 7, 'Pool Contractor': 5,
  };
  const licensePrefix = new Map(Object.values(SUB_TYPES).map((r) => [r.trade, r.licensePrefix]));
  const byTrade = new Map<string, { list: Contractor[]; index: WeightedIndex }>();
  const names = new Set<string>();
  for (const [trade, count] of Object.entries(counts)) {
    const list: Contractor[] = [];
    const weights: number[] = [];
    while (list.length < count) {
      const name = `${random.pick(COMPANY_WORDS)} ${random.pick(TRADE_WORDS[trade] ?? ['Services'])} ${random.pick(ENTITIES)}`.trim();
      if (names.has(name)) continue;
      names.add(name);
      list.push({
        name,
        phone: fictionalPhone(random, 'parens'),
        license: `${licensePrefix.get(trade)}-${random.int(100000, 199999)}`,
        trade,
      });
      weights.push(random.logNormal(1, 1));
    }
    byTrade.set(trade, { list, index: new WeightedIndex(weights) });
  }
  return byTrade;
}

export interface Permit {
  id1: string;
  id2: string;
  id3: string;
  altId: string;
  cls: PermitClass;
  subType: PermitSubType;
  category: WorkCategory;
  status: PermitStatus;
  statusDate: number;
  filed: number;
  issued: number | null;
  completed: number | null;
  description: string;
  address: Address;
  unit: string | null;
  zip: string;
  located: boolean;
  valuation: number;
  housingUnits: number | null;
  sqFt: number | null;
  contractor: Contractor | null;
}

function addWorkingDays(day: number, days: number): number {
  let result = day;
  let left = Math.round(days);
  while (left > 0 || weekdayOf(result) === 0 || weekdayOf(result) === 6) {
    result += DAY;
    if (weekdayOf(result) !== 0 && weekdayOf(result) !== 6) left--;
  }
  return result;
}

function lifecycle(random: Random, rule: SubTypeRule, category: WorkCategory, cls: PermitClass, filed: number) {
  const now = startOfDay(SNAPSHOT);
  const review = random.logNormal(rule.reviewDays * (category === 'New Construction' ? 2 : 1) * (cls === 'Commercial' ? 1.6 : 1), 0.7);
  const issued = addWorkingDays(filed, review);
  const outcome = random.weighted([['normal', 91], ['expire', 4], ['withdraw', 3], ['void', 2]] as const);

  if (outcome === 'withdraw') {
    const at = Math.min(now, nextWeekday(filed + random.int(1, 60) * DAY));
    return { status: 'Withdrawn' as const, statusDate: at, issued: null, completed: null };
  }
  if (issued > now) {
    const inReview = rule.reviewDays > 3 && now - filed > 2 * DAY;
    return { status: inReview ? ('Plan Review' as const) : ('Received' as const), statusDate: inReview ? filed + Math.min(2, (now - filed) / DAY) * DAY : filed, issued: null, completed: null };
  }
  if (outcome === 'void') {
    const at = Math.min(now, nextWeekday(issued + random.int(1, 120) * DAY));
    return { status: 'Void' as const, statusDate: at, issued: random.chance(0.6) ? issued : null, completed: null };
  }
  const duration = random.logNormal(rule.workDays * (category === 'New Construction' ? 2.5 : 1), 0.6) * DAY;
  const final = nextWeekday(issued + Math.max(DAY, Math.round(duration / DAY) * DAY));
  if (outcome === 'expire' || final > issued + 540 * DAY) {
    const expires = nextWeekday(issued + 365 * DAY);
    if (expires <= now) return { status: 'Expired' as const, statusDate: expires, issued, completed: null };
  } else if (final <= now) {
    return { status: 'Finaled' as const, statusDate: final, issued, completed: final };
  }
  // Still open: inspections under way once the first one has happened.
  const firstInspection = nextWeekday(issued + Math.max(DAY, Math.round(((final - issued) * random.float(0.1, 0.5)) / DAY) * DAY));
  if (firstInspection <= now) {
    const last = Math.min(now, nextWeekday(firstInspection + Math.floor(((now - firstInspection) / DAY) * random.next()) * DAY));
    return { status: 'Inspections' as const, statusDate: last, issued, completed: null };
  }
  return { status: 'Issued' as const, statusDate: issued, issued, completed: null };
}

function classOf(address: Address): PermitClass {
  return address.use === 'commercial' ? 'Commercial' : address.use === 'multifamily' ? 'Multi-Family' : 'Residential';
}

export function generatePermits(addresses: readonly Address[], scale: number): Permit[] {
  const random = new Random('riverton-permits');
  const total = Math.max(1, Math.round(PERMIT_COUNT * scale));
  const trades = contractors(random);

  const days: number[] = [];
  for (let day = FIRST_DAY; day < SNAPSHOT; day += DAY) {
    if (weekdayOf(day) !== 0 && weekdayOf(day) !== 6) days.push(day);
  }
  const perDay = apportion(total, days.map((d) => (GROWTH[yearOf(d)] ?? 1) * (MONTH[monthOf(d) - 1] ?? 1)));
  const subTypeMix = new Map(
    (Object.keys(SUB_TYPE_MIX) as PermitClass[]).map((cls) => [
      cls,
      Array.from({ length: 12 }, (_, m) => SUB_TYPE_MIX[cls].map(([sub, w]) => [sub, w * (SUB_TYPES[sub].season[m] ?? 1)] as const)),
    ]),
  );
  // Homes change hands and get remodelled at different rates: some addresses pull many permits.
  const addressIndex = new WeightedIndex(addresses.map((a) => (a.use === 'residential' ? 1 : 1.5) * Math.sqrt(a.weight)));

  const permits: Permit[] = [];
  let year = 0;
  let capSequence = 0;
  const altSequence = new Map<string, number>();
  days.forEach((day, d) => {
    const count = perDay[d] ?? 0;
    if (yearOf(day) !== year) {
      year = yearOf(day);
      capSequence = 0;
      altSequence.clear();
    }
    for (let i = 0; i < count; i++) {
      const address = addresses[addressIndex.sample(random)] as Address;
      const cls = classOf(address);
      const subType = random.weighted(subTypeMix.get(cls)![monthOf(day) - 1]!);
      const rule = SUB_TYPES[subType];
      const category = random.weighted(rule.categories);
      const life = lifecycle(random, rule, category, cls, day);

      capSequence += 1;
      const alt = (altSequence.get(rule.prefix) ?? 0) + 1;
      altSequence.set(rule.prefix, alt);

      const templates = DESCRIPTIONS[subType][category] ?? ['Permit work per application.'];
      const isBuilding = subType === 'Building';
      const newBuilding = isBuilding && category === 'New Construction';
      const housingUnits = newBuilding ? (cls === 'Residential' ? 1 : cls === 'Multi-Family' ? Math.max(2, address.units) : null) : null;
      const sqFt = isBuilding && category !== 'Repair'
        ? Math.round(
            category === 'New Construction'
              ? cls === 'Residential' ? random.int(1200, 3600) : cls === 'Multi-Family' ? Math.max(2, address.units) * random.int(750, 1150) : random.int(4000, 60000)
              : category === 'Addition' ? random.int(150, 900)
              : random.int(80, cls === 'Commercial' ? 8000 : 1500),
          )
        : null;
      const homeowner = cls === 'Residential' && subType !== 'Demolition' && random.chance(0.08);
      const trade = trades.get(rule.trade)!;
      const contractor = homeowner ? null : (trade.list[trade.index.sample(random)] as Contractor);
      const unit =
        cls === 'Multi-Family' && address.units > 1 && random.chance(0.5)
          ? `UNIT ${random.int(1, Math.max(1, Math.ceil(address.units / 4)))}${'ABCD'.charAt(random.int(0, 3))}`
          : cls === 'Commercial' && address.units > 1 && random.chance(0.4)
            ? `STE ${random.int(1, address.units)}00`
            : null;
      const plus4 = 1000 + ((address.id * 7919) % 8999);
      permits.push({
        id1: `${String(year % 100).padStart(2, '0')}CAP`,
        id2: '00000',
        id3: String(capSequence).padStart(5, '0'),
        altId: `${rule.prefix}${year}-${String(alt).padStart(5, '0')}`,
        cls,
        subType,
        category,
        status: life.status,
        statusDate: life.statusDate,
        filed: day,
        issued: life.issued,
        completed: life.completed,
        description: fill(random, random.pick(templates), FILLERS),
        address,
        unit,
        zip: random.chance(0.25) ? `${address.zip}-${plus4}` : String(address.zip),
        located: random.chance(0.97),
        valuation: valuation(random, subType, category, cls, address.units),
        housingUnits,
        sqFt,
        contractor,
      });
    }
  });
  return permits;
}

export const B1PERMIT_TABLE: TableSpec = {
  name: 'B1PERMIT',
  columns: [
    col('B1_PER_ID1', 'varchar(5)'),
    col('B1_PER_ID2', 'varchar(5)'),
    col('B1_PER_ID3', 'varchar(5)'),
    col('B1_ALT_ID', 'varchar(20)'),
    col('B1_PER_GROUP', 'varchar(30)'),
    col('B1_PER_TYPE', 'varchar(30)'),
    col('B1_PER_SUB_TYPE', 'varchar(30)'),
    col('B1_PER_CATEGORY', 'varchar(30)'),
    col('B1_APP_TYPE_ALIAS', 'varchar(80)'),
    col('B1_APPL_STATUS', 'varchar(30)'),
    col('B1_APPL_STATUS_DATE', 'date'),
    col('B1_FILE_DD', 'date'),
    col('B1_ISSUED_DD', 'date', true),
    col('B1_COMPLETED_DD', 'date', true),
    col('B1_SPECIAL_TEXT', 'varchar(2000)', true),
    col('B1_HSE_NBR', 'integer', true),
    col('B1_STR_DIR', 'varchar(2)', true),
    col('B1_STR_NAME', 'varchar(40)', true),
    col('B1_STR_SUFFIX', 'varchar(6)', true),
    col('B1_UNIT_NBR', 'varchar(20)', true),
    col('B1_SITUS_CITY', 'varchar(40)'),
    col('B1_SITUS_STATE', 'varchar(2)'),
    col('B1_SITUS_ZIP', 'varchar(10)'),
    col('B1_X_COORD', 'double precision', true),
    col('B1_Y_COORD', 'double precision', true),
    col('VALUATION', 'numeric(12,2)', true),
    col('HOUSING_UNITS', 'integer', true),
    col('SQ_FT', 'integer', true),
    col('LIC_PROF_BUS_NAME', 'varchar(100)', true),
    col('LIC_PROF_PHONE', 'varchar(20)', true),
    col('LIC_PROF_LIC_NBR', 'varchar(20)', true),
    col('LIC_PROF_TRADE', 'varchar(40)', true),
  ],
  primaryKey: ['B1_PER_ID1', 'B1_PER_ID2', 'B1_PER_ID3'],
  unique: [['B1_ALT_ID']],
  indexes: [['B1_FILE_DD']],
};

export function permitsTables(permits: readonly Permit[]): DemoTable[] {
  const rows: DemoValue[][] = permits.map((p) => [
    p.id1,
    p.id2,
    p.id3,
    p.altId,
    'Building',
    p.cls,
    p.subType,
    p.category,
    `${p.cls} ${p.subType} Permit`,
    p.status,
    formatDate(p.statusDate),
    formatDate(p.filed),
    p.issued === null ? null : formatDate(p.issued),
    p.completed === null ? null : formatDate(p.completed),
    p.description,
    p.address.number,
    p.address.dir,
    p.address.street,
    p.address.suffix,
    p.unit,
    CITY,
    STATE,
    p.zip,
    p.located ? p.address.lon : null,
    p.located ? p.address.lat : null,
    p.valuation,
    p.housingUnits,
    p.sqFt,
    p.contractor?.name ?? null,
    p.contractor?.phone ?? null,
    p.contractor?.license ?? null,
    p.contractor?.trade ?? null,
  ]);
  return [{ spec: B1PERMIT_TABLE, rows }];
}
