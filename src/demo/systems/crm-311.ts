/**
 * The Riverton 311 CRM: table SR_CASE (one row per service request) and its lookup
 * table SR_TYPE, shaped like a legacy customer-service system: upper-case quoted names,
 * short code values, case numbers 'SR-24-00012345', ZIP codes stored as integers and
 * local wall-clock timestamps without a time zone.
 */
import type { Address } from '../city.js';
import { crmAddress } from '../city.js';
import { personalDataPlanter, type PlantedDatum } from '../personal-text.js';
import { apportion, Random, WeightedIndex } from '../random.js';
import { col, type DemoTable, type DemoValue, type TableSpec } from '../table.js';
import { FIRST_NAMES, LAST_NAMES, fictionalEmail, fictionalPhone, fill, type Fillers } from '../text.js';
import {
  DAY, FIRST_DAY, HOUR, MINUTE, SNAPSHOT, formatTimestamp, monthOf, skipDstGap, toWorkingHours, weekdayOf, yearOf,
} from '../time.js';

export type SrTypeCode =
  | 'PTHOLE' | 'STRTLGT' | 'GRAFITI' | 'MISSPKUP' | 'BULKPKUP' | 'ABANVEH' | 'TREETRIM' | 'TREEDEB' | 'WATRLEAK'
  | 'SEWRBACK' | 'RODENT' | 'NOISE' | 'BLDGVIOL' | 'SIDEWALK' | 'TRAFSIG' | 'ILLDUMP' | 'HOMELESS' | 'ELDERCHK';
export type SrStatus = 'N' | 'O' | 'IP' | 'C' | 'X' | 'D';
export type SrChannel = 'P' | 'W' | 'M' | 'E' | 'I' | 'S' | 'O';
export type AgencyCode = 'DOT' | 'DSS' | 'FOR' | 'DWM' | 'DPH' | 'POL' | 'BLDG' | 'DHS';

export interface SrType {
  code: SrTypeCode;
  description: string;
  agency: AgencyCode;
  /** Service-level target in days; null when the CRM sets no due date. */
  slaDays: number | null;
  /** Share of all requests in an average month. */
  share: number;
  /** Multiplier per month, January first. */
  season: readonly number[];
}

const FLAT = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] as const;
const SUMMER = [0.5, 0.5, 0.7, 0.9, 1.2, 1.5, 1.6, 1.5, 1.2, 0.9, 0.7, 0.5] as const;
const WINTER = [1.5, 1.4, 1.1, 0.9, 0.8, 0.7, 0.7, 0.8, 0.9, 1.0, 1.3, 1.5] as const;

export const SR_TYPES: readonly SrType[] = [
  { code: 'PTHOLE', description: 'Pothole in Street', agency: 'DOT', slaDays: 7, share: 14, season: [1.2, 1.9, 2.5, 2.2, 1.4, 0.8, 0.6, 0.5, 0.5, 0.6, 0.8, 1.0] },
  { code: 'MISSPKUP', description: 'Missed Garbage Pickup', agency: 'DSS', slaDays: 2, share: 12, season: [1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.0, 0.9, 0.9, 1.0, 1.2] },
  { code: 'GRAFITI', description: 'Graffiti Removal', agency: 'DSS', slaDays: 10, share: 10, season: [0.6, 0.6, 0.8, 1.0, 1.2, 1.3, 1.4, 1.3, 1.2, 1.0, 0.8, 0.6] },
  { code: 'STRTLGT', description: 'Street Light Out', agency: 'DOT', slaDays: 14, share: 10, season: WINTER },
  { code: 'BULKPKUP', description: 'Bulk Item Pickup', agency: 'DSS', slaDays: 10, share: 8, season: [0.6, 0.6, 0.9, 1.2, 1.4, 1.3, 1.3, 1.3, 1.1, 1.0, 0.7, 0.6] },
  { code: 'ILLDUMP', description: 'Illegal Dumping', agency: 'DSS', slaDays: 10, share: 6, season: [0.7, 0.7, 0.9, 1.1, 1.2, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8] },
  { code: 'ABANVEH', description: 'Abandoned Vehicle', agency: 'POL', slaDays: 14, share: 6, season: FLAT },
  { code: 'RODENT', description: 'Rodent Baiting', agency: 'DPH', slaDays: 10, share: 5, season: SUMMER },
  { code: 'NOISE', description: 'Noise Complaint', agency: 'POL', slaDays: null, share: 5, season: [0.6, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.4, 1.1, 0.9, 0.7, 0.7] },
  { code: 'TREETRIM', description: 'Tree Trim Request', agency: 'FOR', slaDays: 60, share: 5, season: [0.4, 0.4, 0.6, 0.9, 1.4, 1.7, 1.8, 1.6, 1.1, 0.9, 0.6, 0.4] },
  { code: 'TREEDEB', description: 'Tree Debris', agency: 'FOR', slaDays: 14, share: 4, season: [0.7, 0.6, 0.8, 1.0, 1.4, 1.6, 1.6, 1.4, 1.0, 1.0, 0.7, 0.6] },
  { code: 'WATRLEAK', description: 'Water Leak in Street', agency: 'DWM', slaDays: 3, share: 3, season: [1.9, 1.7, 1.2, 0.9, 0.7, 0.7, 0.8, 0.8, 0.8, 0.9, 1.1, 1.6] },
  { code: 'SIDEWALK', description: 'Sidewalk Damage', agency: 'DOT', slaDays: 90, share: 3, season: [0.6, 0.7, 1.0, 1.3, 1.3, 1.2, 1.1, 1.1, 1.1, 1.0, 0.8, 0.6] },
  { code: 'BLDGVIOL', description: 'Building Code Violation', agency: 'BLDG', slaDays: 30, share: 3, season: FLAT },
  { code: 'SEWRBACK', description: 'Sewer Backup', agency: 'DWM', slaDays: 2, share: 2.5, season: [0.8, 0.8, 1.2, 1.4, 1.4, 1.2, 1.0, 0.9, 0.9, 0.9, 0.8, 0.8] },
  { code: 'TRAFSIG', description: 'Traffic Signal Out', agency: 'DOT', slaDays: 1, share: 1, season: [1.1, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 1.1, 0.9, 0.9, 0.9, 1.0] },
  { code: 'HOMELESS', description: 'Person Experiencing Homelessness', agency: 'DHS', slaDays: 2, share: 0.8, season: WINTER },
  { code: 'ELDERCHK', description: 'Senior Well-Being Check', agency: 'DHS', slaDays: 1, share: 0.5, season: [1.4, 1.3, 0.9, 0.8, 0.8, 1.2, 1.5, 1.3, 0.8, 0.8, 0.9, 1.3] },
];

export const SR_TYPE_BY_CODE: ReadonlyMap<SrTypeCode, SrType> = new Map(SR_TYPES.map((t) => [t.code, t]));

export interface Caller {
  first: string;
  last: string;
  phone: string | null;
  email: string | null;
}

/** One service request, as the generator models it (before it is written as a row). */
export interface SrCase {
  caseNo: string;
  /** The Public Works system's short form of the case number: '24-12345'. */
  shortNo: string;
  type: SrType;
  status: SrStatus;
  channel: SrChannel;
  /** Local milliseconds (see time.ts). */
  created: number;
  modified: number;
  due: number | null;
  closed: number | null;
  address: Address;
  lat: number;
  lon: number;
  description: string;
  notes: string | null;
  resolution: string | null;
  photoUrl: string | null;
  caller: Caller | null;
  /** The personal datum written into the public description or resolution, if any (see personal-text.ts). */
  personalData: PlantedDatum | null;
}

/** Requests at scale 1. */
export const SR_COUNT = 105_000;

const GROWTH: Record<number, number> = { 2019: 0.86, 2020: 0.8, 2021: 0.94, 2022: 1.0, 2023: 1.08, 2024: 1.15 };
/** Sunday first. */
const WEEKDAY = [0.6, 1.22, 1.16, 1.1, 1.06, 1.0, 0.7];

const OFFICE_HOURS = [0.05, 0.03, 0.02, 0.02, 0.03, 0.1, 0.5, 1.8, 3.2, 3.6, 3.6, 3.3, 3.0, 3.3, 3.3, 3.0, 2.5, 1.6, 1.0, 0.6, 0.2, 0.1, 0.08, 0.06];
const WALK_IN_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 3, 3, 2.5, 3, 3, 2.5, 1.5, 0, 0, 0, 0, 0, 0, 0];
const ONLINE_HOURS = [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.2, 1.8, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2.2, 2.3, 2.1, 1.7, 1.1, 0.6];
const HOURS = {
  office: new WeightedIndex(OFFICE_HOURS),
  walkIn: new WeightedIndex(WALK_IN_HOURS),
  online: new WeightedIndex(ONLINE_HOURS),
};

function channelWeights(year: number, weekend: boolean): ReadonlyArray<readonly [SrChannel, number]> {
  const t = year - 2019; // app adoption grows every year
  const office = weekend ? 0.35 : 1;
  return [
    ['P', (44 - 3 * t) * office],
    ['M', 14 + 4 * t],
    ['W', 22],
    ['E', 6 * office],
    ['I', 4 * office * (year === 2020 ? 0.3 : 1)],
    ['S', 2 + 0.5 * t],
    ['O', 3],
  ];
}

const FILLERS: Fillers = {
  where: ['in front of the house', 'near the corner', 'in the middle of the block', 'by the bus stop', 'next to the alley', 'across from the school', 'near the church parking lot', 'by the fire hydrant', 'at the end of the driveway', 'outside the corner store'],
  lane: ['northbound', 'southbound', 'eastbound', 'westbound', 'curb', 'center', 'turn'],
  size: ['6', '8', '10', '12', '18', '24'],
  depth: ['2', '3', '4', '5', '6'],
  days: ['2', '3', '4', '5', '7', '10', '14'],
  weeks: ['2', '3', '4', 'several'],
  color: ['black', 'red', 'blue', 'silver', 'white', 'green', 'gray'],
  vehicle: ['sedan', 'pickup truck', 'minivan', 'SUV', 'hatchback', 'cargo van', 'trailer'],
  item: ['a couch', 'a mattress and box spring', 'an old refrigerator', 'a washer and dryer', 'a recliner', 'a dining table and chairs', 'a television and a dresser', 'carpet rolls'],
  dump: ['tires', 'construction debris', 'bags of household trash', 'a mattress', 'old furniture', 'yard waste', 'paint cans', 'drywall scraps'],
  surface: ['the garage door', 'the fence', 'a utility box', 'the bus shelter', 'the side of the building', 'a stop sign', 'the retaining wall', 'the bridge railing', 'a dumpster'],
  tree: ['maple', 'oak', 'elm', 'ash', 'sycamore', 'honey locust', 'cottonwood', 'silver maple'],
  noise: ['loud music', 'a barking dog', 'construction before 7 am', 'a car alarm', 'a generator running all night', 'fireworks', 'a party'],
  time: ['every night', 'after midnight', 'on weekends', 'early in the morning', 'all evening'],
  violation: ['a collapsing porch', 'no smoke detectors', 'an open and vacant structure', 'a roof partly caved in', 'work being done without a permit', 'broken windows left open', 'an unsafe rear stairway'],
};

const DESCRIPTIONS: Record<SrTypeCode, readonly string[]> = {
  PTHOLE: [
    'Large pothole in the {lane} lane {where}, about {size} inches across and {depth} inches deep.',
    'Pothole {where}. Cars are swerving to avoid it.',
    'Several potholes along this block, the worst one {where}.',
    'Deep pothole in the {lane} lane. It has been there for {weeks} weeks and is getting bigger.',
    'Pothole at the crosswalk {where}; a tire was damaged.',
  ],
  STRTLGT: [
    'Street light out {where}.',
    'The street light {where} has been out for {days} days.',
    'Street light flickers on and off all night.',
    'Two street lights out on this block, it is very dark.',
    'Light pole knocked down {where}, wires are not exposed.',
    'Street light stays on during the day.',
  ],
  GRAFITI: [
    'Graffiti on {surface}.',
    'Spray paint tags on {surface} {where}.',
    'New graffiti on {surface}, about {size} feet wide.',
    'Offensive graffiti on {surface}, please remove quickly.',
  ],
  MISSPKUP: [
    'Garbage was not picked up on the scheduled day.',
    'Recycling cart was missed this week; the rest of the block was picked up.',
    'Trash has not been collected for {weeks} weeks.',
    'Cart was out by 6 am but the truck skipped the house.',
    'Yard waste bags were left at the curb.',
  ],
  BULKPKUP: [
    'Request pickup of {item}.',
    'Bulk pickup for {item} left at the curb.',
    'Please schedule a pickup for {item} and {item}.',
    'Moving out, need {item} picked up.',
  ],
  ILLDUMP: [
    'Someone dumped {dump} {where}.',
    'Pile of {dump} left in the alley.',
    'Illegal dumping of {dump} on the vacant lot.',
    '{dump} dumped along the curb overnight.',
  ],
  ABANVEH: [
    'A {color} {vehicle} has been parked {where} for {weeks} weeks without moving.',
    '{color} {vehicle} with flat tires and no plates {where}.',
    'Abandoned {vehicle}, windows broken, has not moved in {days} days.',
    'Vehicle parked {where} with expired registration, covered in leaves.',
  ],
  TREETRIM: [
    'Branches of the {tree} tree are hanging low over the sidewalk.',
    'Parkway {tree} tree needs trimming; limbs touching the power lines.',
    'Tree branches block the view of the stop sign {where}.',
    'Dead limbs in the {tree} tree {where}, worried they will fall.',
  ],
  TREEDEB: [
    'Large {tree} branch fell {where} after the storm.',
    'Tree limbs down blocking the sidewalk {where}.',
    'Storm debris from the parkway {tree} tree is in the street.',
    'Half of the {tree} tree came down; part of it is in the {lane} lane.',
  ],
  WATRLEAK: [
    'Water bubbling up from the pavement {where}.',
    'Water running down the gutter for {days} days; no rain.',
    'Possible water main break, street is flooding {where}.',
    'Water leaking from the valve box near the curb.',
  ],
  SEWRBACK: [
    'Sewer backing up into the basement.',
    'Storm drain {where} is clogged and the street floods when it rains.',
    'Bad sewer smell and water coming out of the manhole.',
    'Catch basin blocked with leaves {where}.',
  ],
  RODENT: [
    'Rats seen in the alley behind the house {time}.',
    'Rat burrows in the parkway {where}.',
    'Rodents getting into the garbage carts {time}.',
    'Large number of rats around the vacant lot.',
  ],
  NOISE: [
    'Noise complaint: {noise} {time}.',
    '{noise} from the property {time}.',
    'Repeated {noise} {time}; it has gone on for {weeks} weeks.',
  ],
  BLDGVIOL: [
    'The building has {violation}.',
    'Vacant house with {violation}.',
    'Tenant reports {violation}.',
    'Neighbor reports {violation} at this property.',
  ],
  SIDEWALK: [
    'Sidewalk slab raised about {depth} inches by tree roots {where}.',
    'Broken sidewalk {where}, trip hazard.',
    'Sidewalk crumbling near the curb ramp.',
    'Missing section of sidewalk {where}.',
  ],
  TRAFSIG: [
    'Traffic signal is dark at the intersection {where}.',
    'Signal stuck on red for the {lane} direction.',
    'All signal heads flashing red.',
    'Pedestrian signal button not working.',
  ],
  HOMELESS: [
    'Person sleeping outside {where}, may need services.',
    'Encampment set up {where}; people appear to need shelter.',
    'Person in the bus shelter overnight in cold weather.',
  ],
  ELDERCHK: [
    'Please check on an elderly neighbor who has not been seen for {days} days.',
    'Senior resident may need assistance; mail piling up.',
    'Family out of town asks for a well-being check during the heat wave.',
  ],
};

const NOTES = [
  'Routed to {agency} dispatch queue.',
  'Called back, no answer.',
  'Crew to inspect.',
  'Location verified on GIS map.',
  'Resident reports issue is recurring.',
  'Same location reported last month.',
  'Caller was advised of the service level.',
  'Assigned to district supervisor.',
  'Checked for duplicate requests nearby; none found.',
  'Photo reviewed by supervisor.',
  'Transferred from the after-hours line.',
  'Referred to {agency} for follow-up.',
  'Priority raised: near a school.',
  'Inspector notes access through the alley.',
];

const PRIVATE_NOTES = [
  'Resident asked for a callback at {phone}.',
  'Caller can be reached at {phone} after 5 pm.',
  'Contact on site: {phone}, ask for the building manager.',
  'Follow-up sent to {email}.',
  'Caller wants updates by e-mail: {email}.',
  'Second caller {phone} reported the same problem.',
  'Property manager {email}, phone {phone}.',
];

const RESOLUTIONS: Record<SrTypeCode, readonly string[]> = {
  PTHOLE: ['Pothole patched.', 'Pothole filled with cold patch; permanent repair scheduled.', 'Inspected; area added to the resurfacing program.', 'Repaired by street crew.'],
  STRTLGT: ['Lamp replaced.', 'Photocell replaced; light working.', 'Wiring repaired by electrical crew.', 'Pole replaced.', 'Light belongs to the utility company; referred to ComEd.'],
  GRAFITI: ['Graffiti removed.', 'Painted over to match.', 'Graffiti removed by pressure washing.', 'Private property: owner notified to remove.'],
  MISSPKUP: ['Collected.', 'Crew returned and collected the cart.', 'Cart was not at the curb at collection time.', 'Collected next day.'],
  BULKPKUP: ['Bulk items collected.', 'Pickup completed.', 'Items not at curb; request closed.'],
  ILLDUMP: ['Debris removed.', 'Cleaned up by sanitation crew.', 'Referred to code enforcement for the owner of the lot.'],
  ABANVEH: ['Vehicle towed.', 'Vehicle moved by owner.', 'Vehicle tagged; owner moved it within 7 days.', 'Not abandoned: valid registration.'],
  TREETRIM: ['Tree trimmed.', 'Inspected; added to the block pruning cycle.', 'Tree is on private property; owner notified.', 'Clearance pruning completed.'],
  TREEDEB: ['Debris removed.', 'Branches chipped and removed.', 'Storm debris cleared.'],
  WATRLEAK: ['Water main repaired.', 'Service line leak repaired.', 'Valve repaired; street restored.', 'Leak is on private side; owner notified.'],
  SEWRBACK: ['Sewer line cleaned.', 'Catch basin cleaned.', 'Blockage was on private lateral; owner advised to call a plumber.', 'Main rodded.'],
  RODENT: ['Alley baited.', 'Burrows baited and inspected.', 'Baiting completed; owner given prevention flyer.'],
  NOISE: ['Officer responded; noise had stopped.', 'Warning issued.', 'Unable to locate the source.', 'Citation issued.'],
  BLDGVIOL: ['Inspection completed; violations cited.', 'No violation found.', 'Building secured by the city.', 'Case referred to administrative hearing.'],
  SIDEWALK: ['Sidewalk slab replaced.', 'Trip hazard ground down.', 'Added to the sidewalk repair program.', 'Temporary asphalt patch placed.'],
  TRAFSIG: ['Signal repaired.', 'Controller reset; signal operating.', 'Signal head replaced.', 'Pedestrian push button replaced.'],
  HOMELESS: ['Outreach team visited; services offered.', 'Person accepted shelter placement.', 'Outreach team could not locate anyone.'],
  ELDERCHK: ['Well-being check completed; resident is fine.', 'Resident connected with senior services.', 'Family contacted.'],
};

const CANCELLED = ['Cancelled at the resident\'s request.', 'Cancelled: unable to locate the problem.', 'Cancelled: entered in error.', 'Cancelled: not a city responsibility.'];

/** Short form used by other city systems: '24-12345'. */
export function shortCaseNumber(year: number, sequence: number): string {
  return `${String(year % 100).padStart(2, '0')}-${sequence}`;
}

export function caseNumber(year: number, sequence: number): string {
  return `SR-${String(year % 100).padStart(2, '0')}-${String(sequence).padStart(8, '0')}`;
}

/** '24-12345' → 'SR-24-00012345', as the public-works connector's expression does. */
export function caseNumberFromShort(short: string): string {
  const [year = '', sequence = ''] = short.split('-');
  return `SR-${year}-${sequence.padStart(8, '0')}`;
}

function makeCaller(random: Random, channel: SrChannel): Caller | null {
  if (random.chance(channel === 'S' ? 0.6 : 0.3)) return null;
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const phone = channel === 'P' || random.chance(0.55) ? fictionalPhone(random, random.chance(0.7) ? 'dashed' : 'parens') : null;
  const email = channel === 'E' || random.chance(channel === 'W' || channel === 'M' ? 0.6 : 0.15) ? fictionalEmail(random, first, last) : null;
  return { first, last, phone, email };
}

function makeNotes(random: Random, type: SrType): string | null {
  if (random.chance(0.2)) return null;
  const fillers: Fillers = { agency: [type.agency] };
  const parts = [fill(random, random.pick(NOTES), fillers)];
  if (random.chance(0.35)) parts.push(fill(random, random.pick(NOTES), fillers));
  if (random.chance(0.15)) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const sensitive = fill(random, random.pick(PRIVATE_NOTES), {
      phone: [fictionalPhone(random, random.chance(0.5) ? 'dashed' : 'parens')],
      email: [fictionalEmail(random, first, last)],
    });
    parts.splice(random.int(0, parts.length), 0, sensitive);
  }
  return parts.join(' ');
}

/** Generates every service request, in order of creation. */
export function generateServiceRequests(addresses: readonly Address[], scale: number): SrCase[] {
  const random = new Random('riverton-crm-311');
  const withPersonalData = personalDataPlanter(new Random('riverton-crm-311-personal-text'));
  const total = Math.max(1, Math.round(SR_COUNT * scale));

  const typeByMonth = Array.from({ length: 12 }, (_, m) => new WeightedIndex(SR_TYPES.map((t) => t.share * (t.season[m] ?? 1))));
  const monthVolume = Array.from({ length: 12 }, (_, m) => SR_TYPES.reduce((sum, t) => sum + t.share * (t.season[m] ?? 1), 0));

  const days: number[] = [];
  for (let day = FIRST_DAY; day < SNAPSHOT; day += DAY) days.push(day);
  const dayWeights = days.map((day) => {
    const year = yearOf(day);
    const date = new Date(day);
    const md = `${date.getUTCMonth() + 1}-${date.getUTCDate()}`;
    const holiday = md === '1-1' || md === '7-4' || md === '12-25' || md === '11-28' ? 0.35 : 1;
    return (GROWTH[year] ?? 1) * (WEEKDAY[weekdayOf(day)] ?? 1) * (monthVolume[monthOf(day) - 1] ?? 1) * holiday;
  });
  const perDay = apportion(total, dayWeights);

  const addressIndex = new WeightedIndex(addresses.map((a) => a.weight));
  const downtown = addresses.filter((a) => a.downtown);
  const cases: SrCase[] = [];
  const lastOfType = new Map<SrTypeCode, SrCase>();
  let year = 0;
  let sequence = 0;

  days.forEach((day, d) => {
    const count = perDay[d] ?? 0;
    const dayYear = yearOf(day);
    if (dayYear !== year) {
      year = dayYear;
      sequence = 0;
    }
    const weekend = weekdayOf(day) === 0 || weekdayOf(day) === 6;
    const channels = channelWeights(year, weekend);
    const drafts: Array<{ type: SrType; channel: SrChannel; created: number }> = [];
    for (let i = 0; i < count; i++) {
      const type = SR_TYPES[typeByMonth[monthOf(day) - 1]!.sample(random)] as SrType;
      const channel = random.weighted(channels);
      const hours = channel === 'P' || channel === 'E' ? HOURS.office : channel === 'I' ? HOURS.walkIn : HOURS.online;
      const created = skipDstGap(day + hours.sample(random) * HOUR + random.int(0, 59) * MINUTE + random.int(0, 59) * 1000);
      drafts.push({ type, channel, created });
    }
    drafts.sort((a, b) => a.created - b.created);

    for (const { type, channel, created } of drafts) {
      sequence += random.chance(0.02) ? random.int(2, 4) : 1;
      const caseNo = caseNumber(year, sequence);
      const address =
        (type.code === 'GRAFITI' || type.code === 'HOMELESS') && random.chance(0.5)
          ? random.pick(downtown)
          : (addresses[addressIndex.sample(random)] as Address);
      const sla = type.slaDays;

      // When (and how) the request ends, if it has ended by the snapshot.
      const outcome = random.weighted([['C', 91], ['D', 6], ['X', 3]] as const);
      let delay: number;
      if (outcome === 'D') delay = random.float(0.1, 24) * HOUR;
      else if (outcome === 'X') delay = random.logNormal(48, 1.2) * HOUR;
      else delay = random.logNormal((sla ?? 0.25) * 24 * 0.35, 1.0) * HOUR;
      let closeAt: number | null = created + Math.floor(Math.max(10 * MINUTE, delay) / 1000) * 1000;
      if (outcome === 'C' && type.code !== 'NOISE' && type.code !== 'ELDERCHK' && type.code !== 'TRAFSIG') {
        closeAt = toWorkingHours(random, closeAt);
      }
      closeAt = skipDstGap(closeAt);
      const stuck = random.chance(0.02);
      if (stuck || closeAt > SNAPSHOT) closeAt = null;

      let status: SrStatus;
      let modified: number;
      if (closeAt !== null) {
        status = outcome;
        modified = random.chance(0.1) ? Math.min(SNAPSHOT, closeAt + random.logNormal(24, 1.5) * HOUR) : closeAt;
      } else {
        const ageDays = (SNAPSHOT - created) / DAY;
        status = ageDays < 1 ? random.weighted([['N', 5], ['O', 3], ['IP', 1]] as const)
          : ageDays < 7 ? random.weighted([['N', 1], ['O', 4], ['IP', 4]] as const)
          : random.weighted([['O', 2], ['IP', 3]] as const);
        modified = status === 'N' ? created : created + random.next() * (SNAPSHOT - created);
      }
      modified = skipDstGap(Math.floor(modified / 1000) * 1000);

      const due = sla !== null && random.chance(0.96) ? skipDstGap(created + sla * DAY) : null;
      const fillers = FILLERS;
      let resolution: string | null = null;
      if (status === 'C') resolution = random.pick(RESOLUTIONS[type.code]);
      else if (status === 'X') resolution = random.pick(CANCELLED);
      else if (status === 'D') {
        const original = lastOfType.get(type.code);
        resolution = original ? `Duplicate of ${original.caseNo}.` : 'Duplicate request.';
      }
      const photo = random.chance(channel === 'M' ? 0.25 : channel === 'W' || channel === 'S' ? 0.08 : 0.01);

      const sr = withPersonalData({
        caseNo,
        shortNo: shortCaseNumber(year, sequence),
        type,
        status,
        channel,
        created,
        modified,
        due,
        closed: closeAt,
        address,
        lat: Math.round((address.lat + random.float(-0.00008, 0.00008)) * 1e6) / 1e6,
        lon: Math.round((address.lon + random.float(-0.0001, 0.0001)) * 1e6) / 1e6,
        description: fill(random, random.pick(DESCRIPTIONS[type.code]), fillers),
        notes: makeNotes(random, type),
        resolution,
        photoUrl: photo ? `https://311.riverton.example/media/${caseNo}.jpg` : null,
        caller: makeCaller(random, channel),
        personalData: null,
      });
      cases.push(sr);
      lastOfType.set(type.code, sr);
    }
  });
  return cases;
}

export const SR_TYPE_TABLE: TableSpec = {
  name: 'SR_TYPE',
  columns: [
    col('SR_TYPE_CD', 'varchar(10)'),
    col('SR_TYPE_DESC', 'varchar(100)'),
    col('AGENCY_CD', 'varchar(6)'),
    col('SLA_DAYS', 'integer', true),
  ],
  primaryKey: ['SR_TYPE_CD'],
  indexes: [],
};

export const SR_CASE_TABLE: TableSpec = {
  name: 'SR_CASE',
  columns: [
    col('CASE_NO', 'varchar(20)'),
    col('SR_TYPE_CD', 'varchar(10)'),
    col('STATUS_CD', 'varchar(2)'),
    col('CHANNEL_CD', 'varchar(1)'),
    col('AGENCY_CD', 'varchar(6)'),
    col('CREATED_DT', 'timestamp without time zone'),
    col('MODIFIED_DT', 'timestamp without time zone'),
    col('DUE_DT', 'timestamp without time zone', true),
    col('CLOSED_DT', 'timestamp without time zone', true),
    col('ADDR_LINE', 'varchar(100)', true),
    col('ZIP_CD', 'integer', true),
    col('LAT_NUM', 'numeric(9,6)', true),
    col('LON_NUM', 'numeric(9,6)', true),
    col('DESCR_TXT', 'varchar(4000)', true),
    col('NOTES_TXT', 'text', true),
    col('RESOLUTION_TXT', 'varchar(1000)', true),
    col('PHOTO_URL', 'varchar(255)', true),
    col('CALLER_FNAME', 'varchar(50)', true),
    col('CALLER_LNAME', 'varchar(50)', true),
    col('CALLER_PHONE', 'varchar(20)', true),
    col('CALLER_EMAIL', 'varchar(100)', true),
  ],
  primaryKey: ['CASE_NO'],
  indexes: [['CREATED_DT'], ['SR_TYPE_CD'], ['STATUS_CD'], ['ZIP_CD'], ['ADDR_LINE']],
};

export function crm311Tables(cases: readonly SrCase[]): DemoTable[] {
  const types: DemoValue[][] = SR_TYPES.map((t) => [t.code, t.description, t.agency, t.slaDays]);
  const rows: DemoValue[][] = cases.map((c) => [
    c.caseNo,
    c.type.code,
    c.status,
    c.channel,
    c.type.agency,
    formatTimestamp(c.created),
    formatTimestamp(c.modified),
    c.due === null ? null : formatTimestamp(c.due),
    c.closed === null ? null : formatTimestamp(c.closed),
    crmAddress(c.address),
    c.address.zip,
    c.lat,
    c.lon,
    c.description,
    c.notes,
    c.resolution,
    c.photoUrl,
    c.caller?.first ?? null,
    c.caller?.last ?? null,
    c.caller?.phone ?? null,
    c.caller?.email ?? null,
  ]);
  return [
    { spec: SR_TYPE_TABLE, rows: types },
    { spec: SR_CASE_TABLE, rows },
  ];
}
