/**
 * What one request works out once and then reuses: a role's row rule resolved against the
 * rows of other datasets, the keys of rows withheld from it. A new memo for every request,
 * so nothing is reused across callers or goes stale between requests.
 */
export class RequestMemo {
  private readonly values = new Map<object, Promise<unknown>>();

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
