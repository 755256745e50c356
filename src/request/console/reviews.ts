/**
 * `POST /console/api/reviews`: records that the caller reviewed a mapping file as it is now
 * (../../privacy/reviews.ts): the token's subject, the time, and the file's SHA-256. The review
 * then shows in the privacy report's sign-off and moves the datasets' `modified` in data.json.
 */
import { basename, relative } from 'node:path';
import { mappingVersion, type Review } from '../../privacy/reviews.js';
import { ConsoleRefusal, requireDepartment, type ConsoleUser } from './access.js';
import type { ConsoleContext } from './context.js';

export async function recordReview(context: ConsoleContext, user: ConsoleUser, body: unknown): Promise<Review> {
  const file = typeof body === 'object' && body !== null ? (body as { file?: unknown }).file : undefined;
  const dir = context.gateway.configuration.connectorsDir;
  const connector = context.gateway.served.mappings.find((mapping) => relative(dir, mapping.file) === file);
  if (typeof file !== 'string' || !connector) throw new ConsoleRefusal(400, 'file: name a mapping file the gateway serves (e.g. crm-311.yaml)');
  requireDepartment(user, connector.department, `mapping file ${file}`);
  const review: Review = { file: basename(connector.file), version: await mappingVersion(connector.file), subject: user.subject, role: user.role, at: new Date().toISOString() };
  await context.reviews.record(review);
  return review;
}

/** By dataset type, when its mapping file as it is now was last reviewed: what data.json's `modified` takes into account. */
export async function reviewedAt(context: ConsoleContext): Promise<Map<string, string>> {
  const { mappings } = context.gateway.served;
  const reviews = await context.reviews.byFile(mappings.map((mapping) => mapping.file));
  const dates = new Map<string, string>();
  for (const mapping of mappings) {
    const latest = reviews.get(mapping.file)?.find((review) => review.current);
    if (latest) for (const dataset of mapping.datasets) dates.set(dataset.typeName, latest.at);
  }
  return dates;
}
