/**
 * One endpoint of a REST API: its URL under the base URL, and the errors that name it.
 * The base URL may carry a secret (an app token in its query string), so errors name the
 * endpoint path from the mapping only, never the URL they were reaching.
 */
import { SourceError, type SourceErrorReason } from '../source.js';

/** Query parameters, in the order they are set (a later one replaces an earlier one of the same name). */
export type Params = ReadonlyArray<readonly [name: string, value: string]>;

export class Endpoint {
  /** @param path the dataset's `table`, relative to the base URL; '' for the base URL itself. */
  constructor(
    readonly source: string,
    readonly path: string,
  ) {}

  error(message: string, reason: SourceErrorReason): SourceError {
    return new SourceError(this.source, this.path === '' ? message : `endpoint "${this.path}": ${message}`, reason);
  }

  /**
   * The path is appended to the base URL's path (`https://host/api` + `/v1/permits` →
   * `https://host/api/v1/permits`) rather than resolved against it, which would drop the
   * base's last segment or, for a leading '/', its whole path. The base URL's own query
   * parameters (an app token) are kept.
   */
  url(base: string, params: Params): URL {
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw this.error('the connection is not a valid URL', 'unreachable');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw this.error('the connection is not an http or https URL', 'unreachable');
    // fetch refuses URLs with credentials, and would fail with a message quoting the URL.
    if (url.username !== '' || url.password !== '') {
      throw this.error('the connection URL carries a user name or password: send credentials with rest.headers instead', 'unreachable');
    }
    const query = this.path.indexOf('?');
    const path = query < 0 ? this.path : this.path.slice(0, query);
    if (path !== '') url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
    const all: Params = [...(query < 0 ? [] : new URLSearchParams(this.path.slice(query + 1))), ...params];
    for (const [name, value] of all) url.searchParams.set(name, value);
    return url;
  }
}
