/**
 * The tabs GraphiQL opens with on a first visit: README's Quick start queries first, then a few
 * more a newcomer can run at once. Each starts with what a reader needs to know to run it.
 */
export interface ExampleTab {
  query: string;
}

export const exampleTabs: ExampleTab[] = [
  {
    query: `# One request across three departments' systems: a 311 case,
# the work orders Public Works opened for it, and the permits
# on the same street.
#
# Anonymous callers are the public role: they see addresses cut
# to their hundred block. Paste {"Authorization": "Bearer …"}
# into Headers below (npm start prints a token for each role):
# the Docs and autocompletion then show that role's schema.
query AcrossDepartments {
  serviceRequest(id: "SR-24-00000563") {
    id serviceName status requestedAt closedAt address
    workOrders(orderBy: [CREATED_AT_ASC]) { id workType status assignedCrew createdAt completedAt }
  }
  permits(filter: { originalAddress1: { contains: "W 24TH ST" } }, orderBy: [APPLIED_DATE_DESC], first: 3) {
    totalCount
    nodes { permitNumber permitTypeMapped statusCurrentMapped appliedDate originalAddress1 }
  }
  serviceRequestStats(filter: { serviceCode: { eq: "PTHOLE" } }, groupBy: [REQUESTED_AT_YEAR]) {
    key { requestedAtYear }
    count
  }
}
`,
  },
  {
    query: `# Staff only: paste the staff token into Headers below as
# {"Authorization": "Bearer …"}. The exact address, and the joins
# that depend on it, open up.
query AtTheExactAddress {
  serviceRequest(id: "SR-24-00000563") {
    address
    permitsAtAddress(orderBy: [APPLIED_DATE_DESC]) { permitNumber permitTypeMapped appliedDate }
  }
  address(line: "1163 West 24th Street") {
    line
    serviceRequests { totalCount }
    workOrders { totalCount }
    permits { totalCount }
  }
}
`,
  },
  {
    query: `# The latest open pothole reports, five at a time: for the next
# page, set "after" in Variables to the answer's pageInfo.endCursor.
query LatestOpenPotholes($after: String) {
  serviceRequests(
    filter: { status: { eq: OPEN }, serviceCode: { eq: "PTHOLE" } }
    orderBy: [REQUESTED_AT_DESC]
    first: 5
    after: $after
  ) {
    totalCount
    edges { cursor node { id serviceName status requestedAt address location { latitude longitude } } }
    pageInfo { hasNextPage endCursor }
  }
}
`,
  },
  {
    query: `# Building permits over $1M applied for this year, the costliest first.
query LargePermits {
  permits(filter: { estProjectCost: { gte: 1000000 }, appliedDate: { gte: "2024-01-01" } }, orderBy: [EST_PROJECT_COST_DESC], first: 10) {
    totalCount
    nodes { permitNumber permitTypeMapped statusCurrentMapped estProjectCost originalAddress1 }
  }
}
`,
  },
  {
    query: `# The published datasets, as a DCAT-US v1.1 catalog.
query DatasetCatalog {
  catalog { conformsTo dataset { identifier title publisher { name } contactPoint { fn hasEmail } } }
}
`,
  },
];
