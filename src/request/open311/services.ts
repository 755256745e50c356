/**
 * `services` and `discovery`, as GeoReport v2 and its Service Discovery describe them.
 *
 * The service list is read from the requests the role may read, grouped by code, name and
 * agency: a code whose requests a row rule withholds from the role entirely (the public's
 * HOMELESS and ELDERCHK) is not listed to it, so the list shows no more than the requests do.
 * No service has a definition (extra form fields), so `metadata` is false; and since requests
 * cannot be submitted here, `type` is `blackbox`: no id is returned for a submission, because
 * there is none (`batch` would promise a token for `tokens/{id}`, which is not served).
 */
import type { Document, Element } from './document.js';

export const GEOREPORT_V2 = 'http://wiki.open311.org/GeoReport_v2';

export interface ServiceGroup {
  key: { serviceCode?: string | null; serviceName?: string | null; agencyResponsible?: string | null };
}

/** One `service` per code; `group` is the agency when all of the code's requests name the same one. */
export function servicesDocument(groups: readonly ServiceGroup[]): Document {
  const byCode = new Map<string, { names: Set<string>; agencies: Set<string | null> }>();
  for (const { key } of groups) {
    if (!key.serviceCode) continue;
    const service = byCode.get(key.serviceCode) ?? { names: new Set(), agencies: new Set() };
    if (key.serviceName) service.names.add(key.serviceName);
    service.agencies.add(key.agencyResponsible ?? null);
    byCode.set(key.serviceCode, service);
  }
  const service = [...byCode]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, { names, agencies }]): Element => ({
      service_code: code,
      service_name: names.size === 1 ? [...names][0]! : null,
      description: null,
      metadata: false,
      type: 'blackbox',
      keywords: null,
      group: agencies.size === 1 ? [...agencies][0]! : null,
    }));
  return { root: 'services', body: { service } };
}

export interface DiscoveryFacts {
  /** When this gateway started serving the Open311 endpoint: its services may have changed then. */
  changeset: string;
  url: string;
  contact: string;
}

export function discoveryDocument({ changeset, url, contact }: DiscoveryFacts): Document {
  return {
    root: 'discovery',
    body: {
      changeset,
      contact,
      key_service: 'No key is needed to read. An app token (header X-App-Token, or the api_key parameter) identifies your application and gives it its own rate limit: ask the contact above for one.',
      endpoints: {
        endpoint: [{ specification: GEOREPORT_V2, url, changeset, type: 'production', formats: { format: ['text/xml', 'application/json'] } }],
      },
    },
  };
}
