/** What the console's modules read: the configuration being served (never its data) and the review log. */
import type { Gateway } from '../../gateway/gateway.js';
import type { ReviewLog } from '../../privacy/reviews.js';

export interface ConsoleContext {
  gateway: Pick<Gateway, 'served' | 'configuration'>;
  reviews: ReviewLog;
}
