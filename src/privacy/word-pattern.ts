/**
 * Words for the redactor's regular expressions, in the three cases people type them. The
 * patterns that tell names apart by their capital letters cannot use the `i` flag: with `u`,
 * `\p{Lu}` would then match lower-case letters too.
 */

/** `(?:STREET|Street|street|ST|St|st)`: each word in upper, title and lower case, longest first. */
export function anyCase(words: readonly string[]): string {
  const spellings = new Set<string>();
  for (const word of [...words].sort((a, b) => b.length - a.length)) {
    const lower = word.toLowerCase();
    spellings.add(lower.toUpperCase());
    spellings.add(lower.charAt(0).toUpperCase() + lower.slice(1));
    spellings.add(lower);
  }
  return `(?:${[...spellings].join('|')})`;
}
