/**
 * The contract's two connector mappings, the same for every kind but for where the rows
 * live: the source block, column names (dotted paths for document systems), the column
 * types systems without their own must be told, and the filters the JSON API applies.
 * Fields, codes, formats, joins and access rules are identical, so answers must be too.
 */
import { SERVICE_REQUESTS, WORK_ORDERS, type Table } from './city.js';
import { type Kind, type Stored, tableName } from './systems.js';

function sourceBlock(kind: Kind, variable: string, stored: Stored): string {
  const lines = ['source:', `  kind: ${kind}`, `  connection: \${${variable}}`, '  timezone: America/Chicago', `  queryTimeoutMs: ${stored.queryTimeoutMs ?? 20_000}`];
  return [...lines, stored.sourceSettings].filter((line) => line !== '').join('\n');
}

/** `columns:` for kinds that cannot describe their own types (SQL describes them). */
function declaredColumns(kind: Kind, table: Table, stored: Stored): string {
  if (kind === 'postgres' || kind === 'mysql' || kind === 'pglite') return '';
  const name = (path: string, flat: string) => (stored.nested ? path : flat);
  return `    columns:\n${table.columns.map((c) => `      ${name(c.path, c.name)}: ${c.type}`).join('\n')}\n`;
}

export function serviceRequestMapping(kind: Kind, stored: Stored): string {
  const c = (flat: string) => (stored.nested ? SERVICE_REQUESTS.columns.find((column) => column.name === flat)!.path : flat);
  return `name: contract-311
system: Contract 311 CRM
department: 311 Customer Service
liaison: { name: Test Liaison, email: liaison@example.org }
${sourceBlock(kind, 'CONTRACT_311_URL', stored)}
datasets:
  ServiceRequest:
    title: Contract service requests
    description: The contract suite's service requests.
    keywords: [contract]
    accessLevel: public
    publication: public
    table: ${tableName(kind, SERVICE_REQUESTS)}
${declaredColumns(kind, SERVICE_REQUESTS, stored)}${kind === 'rest' ? '    filterParams:\n      status_cd: { eq: status_cd }\n      case_no: { in: case_no_in }\n' : ''}    key: id
    fields:
      id: ${c('case_no')}
      status: { column: ${c('status_cd')}, codes: { O: OPEN, C: CLOSED, X: CLOSED } }
      statusDescription: { column: ${c('status_cd')}, codes: { O: Open, C: Completed, X: Cancelled } }
      serviceCode: ${c('svc')}
      serviceName:
        column: ${c('svc')}
        codes: { PTHOLE: Pothole in Street, GRAFITI: Graffiti Removal, STRTLGT: Street Light Out, HOMELESS: Person Experiencing Homelessness }
      description: ${c('descr')}
      requestedAt: ${c('requested')}
      closedAt: ${c('closed')}
      updatedAt: ${c('modified')}
      address: { column: ${c('addr')}, normalize: address }
      location: { fields: { latitude: ${c('lat')}, longitude: ${c('lon')} } }
      callerPhone: ${c('caller_phone')}
    addressField: address
    joins:
      workOrders: { target: WorkOrder, many: true, on: { id: serviceRequestId } }
    access:
      public:
        minimumCellCount: 2
        rows:
          exclude: { serviceCode: { in: [HOMELESS] } }
        fields:
          id: visible
          status: visible
          statusDescription: visible
          serviceCode: visible
          serviceName: visible
          description: redact
          requestedAt: visible
          closedAt: visible
          updatedAt: { truncate: month }
          address: hundredBlock
          location: { round: 2 }
          callerPhone: hidden
      staff:
        rows: {}
        fields:
          description: visible
          address: visible
          location: visible
          updatedAt: visible
          callerPhone: { mask: { keepLast: 4 } }
`;
}

export function workOrderMapping(kind: Kind, stored: Stored): string {
  const c = (flat: string) => (stored.nested ? WORK_ORDERS.columns.find((column) => column.name === flat)!.path : flat);
  return `name: contract-works
system: Contract Work Management
department: Public Works
liaison: { name: Test Liaison, email: works@example.org }
${sourceBlock(kind, 'CONTRACT_WORKS_URL', stored)}
datasets:
  WorkOrder:
    title: Contract work orders
    description: The contract suite's work orders.
    keywords: [contract]
    accessLevel: public
    publication: public
    table: ${tableName(kind, WORK_ORDERS)}
${declaredColumns(kind, WORK_ORDERS, stored)}${kind === 'rest' ? '    filterParams:\n      sr_ref: { in: sr_ref_in }\n      status: { eq: status }\n' : ''}    key: id
    fields:
      id: ${c('wo_id')}
      serviceRequestId: ${c('sr_ref')}
      status:
        column: ${c('status')}
        codes: { OPEN: OPEN, INPROG: IN_PROGRESS, COMPLETE: COMPLETED, CANCEL: CANCELLED }
      workType: ${c('work_type')}
      createdAt: ${c('created')}
      completedAt: ${c('completed')}
      cost: ${c('cost')}
      laborHours: ${c('hours')}
      address: { column: ${c('addr')}, normalize: address }
      location: { fields: { latitude: ${c('lat')}, longitude: ${c('lon')} } }
      assignedCrew: ${c('crew')}
    addressField: address
    joins:
      serviceRequest: { target: ServiceRequest, on: { serviceRequestId: id } }
    access:
      public:
        minimumCellCount: 2
        fields:
          id: visible
          serviceRequestId: visible
          status: visible
          workType: visible
          createdAt: visible
          completedAt: visible
          cost: visible
          laborHours: visible
          address: hundredBlock
          location: { round: 2 }
          assignedCrew: hidden
      staff:
        fields:
          address: visible
          location: visible
          assignedCrew: visible
`;
}
