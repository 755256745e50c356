/**
 * What one request works out once and then reuses: a role's row rule resolved against the
 * rows of other datasets, the keys of rows withheld from it. A new memo for every request,
 * so nothing is reused across callers or goes stale between requests. Every source the
 * request reads is reached through it, so it also knows how long its answer may be cached.
 */
export class RequestMemo {
  private readonly values = new Map<object, Promise<unknown>>();
  #cacheMaxAgeMs: number | undefined;

  /** Notes that the request read a dataset's source (its own rows, or another's for a row rule). */
  read(dataset: { cacheMaxAgeMs: number }): void {
    this.#cacheMaxAgeMs = Math.min(this.#cacheMaxAgeMs ?? Infinity, dataset.cacheMaxAgeMs);
  }

  /** The shortest `cache.maxAge` of the datasets read; undefined when none was (the catalog, introspection). */
  get cacheMaxAgeMs(): number | undefined {
    return this.#cacheMaxAgeMs;
  }

  /** The value computed for `key` in this request, computing it on first use. */
  once<T>(key: object, compute: () => Promise<T>): Promise<T> {
    let value = this.values.get(key) as Promise<T> | undefined;
    if (!value) {
      value = compute();
      this.values.set(key, value);
    }
    return value;
  }
}
