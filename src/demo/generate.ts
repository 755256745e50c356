/**
 * One deterministic model of Riverton's three demo departmental systems. The service
 * requests are generated first and the work orders derived from them, so cross-system
 * references stay valid at every scale.
 */
import { addressPool, type Address } from './city.js';
import { crm311Tables, generateServiceRequests, type SrCase } from './systems/crm-311.js';
import { generatePermits, permitsTables, type Permit } from './systems/permits.js';
import { generateWorkOrders, publicWorksTables, type WorkOrder } from './systems/public-works.js';
import type { DemoTable } from './table.js';

export const DEMO_SYSTEMS = ['crm-311', 'public-works', 'permits'] as const;
export type DemoSystem = (typeof DEMO_SYSTEMS)[number];

/**
 * Bump whenever the generator's output changes: prepared demo databases marked with
 * another version are regenerated.
 */
export const DEMO_DATA_VERSION = 'riverton-demo-3';

export const ADDRESS_COUNT = 3000;

export interface DemoData {
  scale: number;
  addresses: Address[];
  serviceRequests: SrCase[];
  workOrders: WorkOrder[];
  permits: Permit[];
  /** Each system's tables, in creation order, with rows in column order. */
  tables: Record<DemoSystem, DemoTable[]>;
}

export function generateDemo(scale = 1): DemoData {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`demo scale must be a positive number, got ${scale}`);
  const addresses = addressPool(ADDRESS_COUNT);
  const serviceRequests = generateServiceRequests(addresses, scale);
  const workOrders = generateWorkOrders(serviceRequests, addresses);
  const permits = generatePermits(addresses, scale);
  return {
    scale,
    addresses,
    serviceRequests,
    workOrders,
    permits,
    tables: {
      'crm-311': crm311Tables(serviceRequests),
      'public-works': publicWorksTables(workOrders),
      permits: permitsTables(permits),
    },
  };
}

let cached: DemoData | undefined;

/** `generateDemo`, remembering the last result so that loading three systems generates once. */
export function demoData(scale = 1): DemoData {
  if (cached?.scale !== scale) cached = generateDemo(scale);
  return cached;
}

/** Forgets the remembered data (it holds a few hundred thousand rows). */
export function releaseDemoData(): void {
  cached = undefined;
}
