/**
 * Who may call the public API from a web page on another site. Any origin may query it as the
 * public role, with or without an app token (`X-App-Token` grants no more than public). A request
 * that carries a credential — an `Authorization` header, or cookies — is admitted from a browser
 * only on the origins the city lists (CIVICGRAPH_CORS_ORIGINS) and on the gateway's own origin.
 *
 * A credentialed request or preflight from any other origin is refused with 403 and no CORS
 * header, so its browser withholds the answer and says why in its console, and nothing runs.
 * That the `Authorization` preflight of an unlisted origin is refused, not answered with `*`,
 * matters: `Access-Control-Allow-Origin: *` would let a page that holds a token (one a user
 * pasted, say) send it, since a header a script sets is not a "credential" to CORS.
 */
import cors, { type CorsOptions } from 'cors';
import type { Request, RequestHandler } from 'express';
import { errorBody } from './error-body.js';

const CORS_ORIGINS_VARIABLE = 'CIVICGRAPH_CORS_ORIGINS';

/** Chromium caches a preflight for at most 2 hours, whatever a server asks. */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/** Headers a page may read besides the CORS-safelisted ones: the budgets, when to try again, and the id to quote when reporting a problem. */
const EXPOSED_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy', 'Retry-After', 'X-Request-Id'];

const common: CorsOptions = { methods: ['GET', 'POST'], exposedHeaders: EXPOSED_HEADERS, maxAge: PREFLIGHT_MAX_AGE_SECONDS };
/** Request headers are allowed as asked for (cors's default): no header a page sets counts as a credential but those checked here. */
const forListed = cors({ ...common, origin: true, credentials: true });
const forAnyone = cors({ ...common, origin: '*' });

/**
 * CIVICGRAPH_CORS_ORIGINS as a list of origins (`https://maps.city.gov`), comma-separated; unset
 * or empty: none. A bad entry stops the gateway at startup, naming the variable.
 */
export function corsOrigins(value: string | undefined): string[] {
  const entries = (value ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  return entries.map((entry) => {
    const refuse = (why: string) => new Error(`${CORS_ORIGINS_VARIABLE}: "${entry}" ${why}`);
    if (entry === '*' || entry === 'null') throw refuse('would let any page send credentials: list each origin that may, e.g. https://maps.city.gov');
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw refuse('is not an origin such as https://maps.city.gov');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('is not an http or https origin');
    if (`${url.origin}/` !== url.href) throw refuse(`is not an origin: write ${url.origin}, with no path, query or user`);
    // Browsers send an origin in this form (host in lower case, no default port), so lists compare by string.
    return url.origin;
  });
}

export function crossOrigin(listedOrigins: readonly string[]): RequestHandler {
  const listed = new Set(listedOrigins);
  return (request, response, next) => {
    // The answer depends on the Origin, whichever policy applies, so a cache must keep them apart.
    response.vary('Origin');
    const origin = request.get('origin');
    const trusted = origin !== undefined && (listed.has(origin) || isOwnOrigin(request, origin));
    if (trusted) {
      forListed(request, response, next);
      return;
    }
    if (origin !== undefined && carriesCredentials(request)) {
      response
        .status(403)
        .json(
          errorBody(
            'FORBIDDEN_ORIGIN',
            `origin ${origin} may not send credentials (an Authorization header or cookies): only the origins ${CORS_ORIGINS_VARIABLE} lists may; any origin may query the public API without them`,
          ),
        );
      return;
    }
    forAnyone(request, response, next);
  };
}

/** Browsers send Origin on their own POSTs too; the landing page's token needs no listing. */
function isOwnOrigin(request: Request, origin: string): boolean {
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/** A request with a credential, or the preflight of one (a page cannot ask to send cookies: the browser decides). */
function carriesCredentials(request: Request): boolean {
  if (request.method === 'OPTIONS') {
    const asked = request.get('access-control-request-headers') ?? '';
    return asked.split(',').some((header) => header.trim().toLowerCase() === 'authorization');
  }
  return request.get('authorization') !== undefined || request.get('cookie') !== undefined;
}
