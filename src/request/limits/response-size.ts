/**
 * Apollo's `stringifyResult` for one role: compact JSON (Apollo pretty-prints by default,
 * which costs time and bytes on every response), and in place of an answer larger than the
 * role may receive, an error saying so. The cost limit keeps answers of that size rare; this
 * bounds what rows wider than estimated (long free text) can add.
 */
import type { FormattedExecutionResult } from 'graphql';
import { answerText } from '../../response/answer-text.js';

export function responseSizeGuard(maxBytes: number, role: string): (result: FormattedExecutionResult) => string {
  return (result) => {
    const text = answerText(result);
    // A UTF-16 unit is at most 3 bytes of UTF-8: most answers are known to fit without measuring.
    if (text.length * 3 <= maxBytes) return text;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= maxBytes) return text;
    return JSON.stringify({
      data: null,
      errors: [
        {
          message: `the answer is ${bytes} bytes, over the ${maxBytes} bytes role ${role} may receive: ask for fewer rows (first) or fewer fields`,
          extensions: { code: 'RESPONSE_TOO_LARGE', measured: bytes, limit: maxBytes },
        },
      ],
    });
  };
}
