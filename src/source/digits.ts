/**
 * The decimal number `text` spells from `from` to `to`, or NaN when a character there is not a
 * digit. Dates and times are read with it digit by digit wherever pages of them are read or
 * checked (./timezone.ts, ../schema/scalars.ts): a regular expression and its captures cost
 * several times as much.
 */
export function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let at = from; at < to; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}
