/**
 * The JSON text of an answer, reusing the text of a `data` value whose text is already known: a
 * cached answer is served from its stored text (src/response/cache/cache-plugin.ts), and
 * serialising its tens of kilobytes again for every hit would cost much of what the cache saves.
 * A value is remembered only with the text it was parsed from, and is never changed after.
 */
import type { FormattedExecutionResult } from 'graphql';

const texts = new WeakMap<object, string>();

/** Remembers that `value` serialises as `text` (`value` was parsed from it, or it from `value`). */
export function rememberText(value: object, text: string): void {
  texts.set(value, text);
}

/** `JSON.stringify(result)`, with the remembered text of `result.data` where there is one. */
export function answerText(result: FormattedExecutionResult): string {
  const data = result.data;
  const known = data ? texts.get(data) : undefined;
  if (known === undefined) return JSON.stringify(result);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    // As JSON.stringify does: members without a JSON value are left out.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${key === 'data' ? known : JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}
