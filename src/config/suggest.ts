/** "Did you mean …?" for typos in keys, type names, field names and column names. */

/** The candidate closest to `word`, if it is close enough to be a plausible typo. */
export function closest(
  word: string,
  candidates: Iterable<string>,
  options: { ignoreCase?: boolean } = {},
): string | undefined {
  const fold = (text: string) => (options.ignoreCase ? text.toLowerCase() : text);
  const target = fold(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(target, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the word may be wrong: `colum`→`column`, `acessLevel`→`accessLevel`, but not `foo`→`key`.
  const tolerance = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  return bestDistance <= tolerance ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>, options?: { ignoreCase?: boolean }): string {
  const match = closest(word, candidates, options);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}

/** Damerau–Levenshtein (optimal string alignment): a swap of two letters counts as one typo. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      rows[i]![j] = value;
    }
  }
  return at(a.length, b.length);
}
