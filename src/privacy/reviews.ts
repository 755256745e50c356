/**
 * The liaisons' reviews of mapping files: who reviewed (the JWT subject), when, and which
 * version of the file (its SHA-256), one JSON object per line in a file beside the connectors
 * (`reviews.jsonl`, or CIVICGRAPH_REVIEWS_FILE). A line is appended per review and never
 * rewritten, so the log survives restarts and can be committed with the mappings it reviews,
 * and a review of an older version stays on record as such. Reading it reads no database.
 */
import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Environment } from '../config/interpolate.js';

export const REVIEWS_FILE = 'reviews.jsonl';

export interface Review {
  /** The mapping file's name in the connectors folder, e.g. `crm-311.yaml`. */
  file: string;
  /** `sha256:` and the hex digest of the file's bytes when it was reviewed. */
  version: string;
  /** Who reviewed: the token's subject. */
  subject: string;
  /** The role the reviewer held, e.g. `liaison:311-customer-service`. */
  role: string;
  /** ISO 8601, UTC. */
  at: string;
}

/** A review with whether it is of the file as it is now. */
export interface ReviewStatus extends Review {
  current: boolean;
}

export function reviewsPath(connectorsDir: string, env: Environment): string {
  return env.CIVICGRAPH_REVIEWS_FILE || join(connectorsDir, REVIEWS_FILE);
}

/** A mapping file's version, as reviews name it. */
export async function mappingVersion(path: string): Promise<string> {
  return `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`;
}

export class ReviewLog {
  constructor(readonly path: string) {}

  async record(review: Review): Promise<void> {
    // One write per line with O_APPEND: concurrent reviews never interleave within a line.
    await appendFile(this.path, `${JSON.stringify(review)}\n`, 'utf8');
  }

  /** Every review on record, oldest first; lines that are not a review (a hand edit gone wrong) are skipped. */
  async all(): Promise<Review[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text.split('\n').flatMap((line) => {
      try {
        const value = JSON.parse(line) as Partial<Review>;
        return typeof value.file === 'string' && typeof value.version === 'string' && typeof value.subject === 'string' && typeof value.at === 'string'
          ? [{ file: value.file, version: value.version, subject: value.subject, role: String(value.role ?? ''), at: value.at }]
          : [];
      } catch {
        return [];
      }
    });
  }

  /** Each mapping file's reviews (by absolute path), newest first, marked current where the file is unchanged since. */
  async byFile(files: readonly string[]): Promise<Map<string, ReviewStatus[]>> {
    const reviews = await this.all();
    const statuses = new Map<string, ReviewStatus[]>();
    for (const file of files) {
      const version = await mappingVersion(file).catch(() => undefined);
      const name = basename(file);
      const own = reviews.filter((review) => review.file === name).reverse();
      if (own.length > 0) statuses.set(file, own.map((review) => ({ ...review, current: review.version === version })));
    }
    return statuses;
  }
}
