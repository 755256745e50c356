/**
 * The audit trail of privileged reads: every request that returns, in raw form, a field the
 * public role cannot read raw is written as one JSON line — when, who, which types and
 * fields, how many rows. Never a value: the line must be safe to ship to any log store.
 */
import type { ServedDataset } from '../plan/served-dataset.js';

export interface AuditLine {
  time: string;
  role: string;
  subject: string | null;
  datasets: Array<{ type: string; fields: string[]; rows: number }>;
}

export type AuditEntry = AuditLine['datasets'][number];

export type AuditSink = (line: string) => void;

/** What one request read; written once, when its response is sent. */
export class RequestAudit {
  private readonly reads = new Map<string, { fields: Set<string>; rows: number }>();

  /**
   * Notes that `rows` rows (or groups) of `dataset` were returned, reading `fields`: those
   * selected, grouped by, or compared in a filter. A look-up by a privileged value is
   * recorded even when nothing matched: the answer still says something about that value.
   */
  record(dataset: ServedDataset, fields: readonly string[], rows: number): void {
    const privileged = fields.filter((field) => dataset.audited.has(field));
    if (privileged.length === 0) return;
    const entry = this.reads.get(dataset.type.name) ?? { fields: new Set<string>(), rows: 0 };
    privileged.forEach((field) => entry.fields.add(field));
    entry.rows += rows;
    this.reads.set(dataset.type.name, entry);
  }

  /** What was recorded, for an answer kept in the response cache to be audited again each time it is served. */
  entries(): AuditEntry[] {
    return [...this.reads].map(([type, { fields, rows }]) => ({ type, fields: [...fields].sort(), rows }));
  }

  /** Records again what a cached answer read when it was made. */
  replay(entries: readonly AuditEntry[]): void {
    for (const { type, fields, rows } of entries) {
      const entry = this.reads.get(type) ?? { fields: new Set<string>(), rows: 0 };
      fields.forEach((field) => entry.fields.add(field));
      entry.rows += rows;
      this.reads.set(type, entry);
    }
  }

  /** The JSON line for this request, or undefined when it read nothing privileged. */
  line(role: string, subject: string | undefined, now: Date = new Date()): string | undefined {
    if (this.reads.size === 0) return undefined;
    const line: AuditLine = {
      time: now.toISOString(),
      role,
      subject: subject ?? null,
      datasets: this.entries(),
    };
    return JSON.stringify(line);
  }
}

/** The fields a filter compares, at any depth of `and`, `or` and `not`. */
export function filterFields(filter: unknown): string[] {
  if (!filter || typeof filter !== 'object') return [];
  return Object.entries(filter as Record<string, unknown>).flatMap(([key, value]) => {
    if (key === 'and' || key === 'or') return (Array.isArray(value) ? value : []).flatMap(filterFields);
    if (key === 'not') return filterFields(value);
    return [key];
  });
}
