/** What the console's modules read: the configuration being served, the review log, and the audit sink. */
import type { Gateway } from '../../gateway/gateway.js';
import type { AuditSink } from '../../privacy/audit.js';
import type { ReviewLog } from '../../privacy/reviews.js';

export interface ConsoleContext {
  gateway: Pick<Gateway, 'served' | 'configuration'>;
  reviews: ReviewLog;
  /** Where the quality profile's reads of raw values are audited, as GraphQL requests' are. */
  audit: AuditSink;
}
