/**
 * The gateway's Prometheus metrics (prom-client), in a registry of its own per gateway so
 * that several gateways in one process (tests, benchmarks) never mix their counts.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Operation names come from callers: past this many distinct names, the rest count as `other`. */
const MAX_OPERATION_LABELS = 100;

export class Metrics {
  readonly registry = new Registry();

  readonly sourceQueries = new Counter({
    name: 'civicgraph_source_queries_total',
    help: 'Queries sent to a departmental source, by source and kind of query.',
    labelNames: ['source', 'operation'] as const,
    registers: [this.registry],
  });

  readonly sourceErrors = new Counter({
    name: 'civicgraph_source_errors_total',
    help: 'Source queries that failed, by source and reason.',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });

  readonly sourceLatency = new Histogram({
    name: 'civicgraph_source_query_duration_seconds',
    help: 'Time a departmental source took to answer one query.',
    labelNames: ['source', 'operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly graphqlRequests = new Counter({
    name: 'civicgraph_graphql_requests_total',
    help: 'GraphQL requests, by operation name and whether they ended with errors.',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlLatency = new Histogram({
    name: 'civicgraph_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to sending its response, by operation name.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: 'civicgraph_response_cache_lookups_total',
    help: 'Response cache look-ups, by result: hit, miss, or bypassed (Redis unreachable).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly cacheEvictions = new Counter({
    name: 'civicgraph_response_cache_evictions_total',
    help: 'Answers dropped from the in-process response cache to make room before they expired (Redis reports its own in INFO evicted_keys).',
    registers: [this.registry],
  });

  readonly redisReachable = new Gauge({
    name: 'civicgraph_redis_reachable',
    help: '1 while the shared Redis answers, 0 while rate limits count in-process and the response cache is bypassed; absent without Redis.',
    registers: [this.registry],
  });

  readonly redisOutages = new Counter({
    name: 'civicgraph_redis_outages_total',
    help: 'Times the shared Redis was found unreachable.',
    registers: [this.registry],
  });

  private readonly operations = new Set<string>();

  /** A bounded, label-safe name for an operation. */
  operationLabel(name: string | null | undefined): string {
    const label = name ? name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64) : 'anonymous';
    if (this.operations.has(label)) return label;
    if (this.operations.size >= MAX_OPERATION_LABELS) return 'other';
    this.operations.add(label);
    return label;
  }
}
