/**
 * `/console`: the liaison's console, a page and the JSON API it calls, for role `liaison` and
 * the roles above it (./access.ts); everyone else gets 403, the page included (which then
 * offers to sign in). Every call is authenticated, rate-limited and budgeted at the GraphQL
 * endpoint's door (`GraphQLEndpoint.runAs`), and every row it shows is read through a role's
 * own GraphQL server, never from a source directly.
 *
 * The browser signs in by sending its token once (POST /console/api/session); the token is then
 * kept in an HttpOnly, SameSite=Strict cookie scoped to /console, so the page's script never
 * holds it and no other site's page can make the browser send it. Callers that are not
 * browsers send `Authorization: Bearer` as to /graphql.
 */
import express, { Router, type Request, type Response } from 'express';
import { privacyReportHtml } from '../../privacy/report.js';
import type { AdmittedRequest, GraphQLEndpoint, Refuse } from '../graphql-endpoint.js';
import { ConsoleRefusal, consoleUser, type ConsoleUser } from './access.js';
import type { ConsoleContext } from './context.js';
import { draft, draftRequest, listTables } from './drafts.js';
import { readMapping, writeMapping } from './mappings.js';
import { overview } from './overview.js';
import { consolePage } from './page/page.js';
import { preview, PREVIEW_ROWS } from './preview.js';
import { quality } from './quality.js';
import { recordReview } from './reviews.js';

const COOKIE = 'civicgraph-console';
/** How long a browser stays signed in; the token's own expiry is checked on every call. */
const SESSION_SECONDS = 8 * 60 * 60;
/** Bodies are a few names and a token. */
const BODY_LIMIT = '16kb';
/** An edited mapping file; the demo's largest is about 10 kB. */
const MAPPING_LIMIT = '1mb';

/** A console call's work: its JSON answer, or undefined where it answered itself. */
type Handler = (admitted: AdmittedRequest, user: ConsoleUser, request: Request, response: Response) => Promise<unknown>;

export function consoleRouter(endpoint: GraphQLEndpoint, context: ConsoleContext, log: (line: string) => void): Router {
  const router = Router();
  const page = consolePage();
  const json = express.json({ limit: BODY_LIMIT });

  router.use('/console', (request, _response, next) => {
    // The session cookie stands for the Authorization header a browser cannot send on navigation.
    const token = cookie(request, COOKIE);
    if (token !== undefined && request.headers.authorization === undefined) request.headers.authorization = `Bearer ${token}`;
    next();
  });
  router.get('/console/assets/:version/:name', page.asset);

  const refuse: Refuse = (response, status, error) => {
    response.status(status).set('cache-control', 'no-store').json({ error: { message: error.message } });
  };

  /** Runs `handler` for a console user, answering its result as JSON, a refusal with its status. */
  const api =
    (handler: Handler) =>
    (request: Request, response: Response): Promise<void> =>
      endpoint.runAs(
        request,
        response,
        async (admitted) => {
          response.set('cache-control', 'no-store');
          try {
            const user = consoleUser(context.gateway.served.roles, admitted.caller);
            const result = await handler(admitted, user, request, response);
            if (!response.headersSent) response.json(result);
          } catch (error) {
            if (!(error instanceof ConsoleRefusal)) {
              log(`console ${request.method} ${request.path}: ${error instanceof Error ? error.message : String(error)}`);
              response.status(500).json({ error: { message: 'the console could not do that; the gateway log says why' } });
              return;
            }
            response.status(error.status).json({ error: { message: error.message, ...(error.source ? { source: error.source } : {}) } });
          }
        },
        refuse,
      );

  router.get('/console', (request, response) => {
    // The page's files and calls are relative to /console, which /console/ would shift.
    if (request.originalUrl.split('?')[0]!.endsWith('/')) return response.redirect(301, request.originalUrl.replace(/\/+(\?|$)/, '$1'));
    return endpoint.runAs(
      request,
      response,
      async (admitted) => {
        try {
          consoleUser(context.gateway.served.roles, admitted.caller);
          page.send(response, 200);
        } catch (error) {
          if (!(error instanceof ConsoleRefusal)) throw error;
          // The page itself says why and offers to sign in with another token.
          page.send(response, error.status);
        }
      },
      (refused, status) => page.send(refused, status),
    );
  });

  router.post('/console/api/session', json, (request, response) => {
    const token = typeof request.body?.token === 'string' ? request.body.token.trim().replace(/^Bearer\s+/i, '') : '';
    if (token === '' || /\s/.test(token)) {
      response.status(400).json({ error: { message: 'token: paste the token (the part after "Bearer ")' } });
      return;
    }
    request.headers.authorization = `Bearer ${token}`;
    return api(async (_admitted, user) => {
      response.cookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: '/console', maxAge: SESSION_SECONDS * 1000 });
      return user;
    })(request, response);
  });
  router.delete('/console/api/session', (_request, response) => {
    response.clearCookie(COOKIE, { path: '/console' }).status(204).end();
  });

  router.get('/console/api/whoami', api(async (_admitted, user) => user));
  router.get('/console/api/overview', api(async (_admitted, user) => overview(context, user)));
  router.post('/console/api/drafts/tables', json, api(async (_admitted, user, request) => listTables(context, user, draftRequest(request.body, false))));
  router.post('/console/api/drafts', json, api(async (_admitted, user, request) => draft(context, user, draftRequest(request.body, true))));
  router.get(
    '/console/api/datasets/:type/preview',
    api(async (admitted, user, request) => preview(admitted, context, user, String(request.params.type), previewRows(request.query.rows))),
  );
  router.get('/console/api/datasets/:type/quality', api(async (admitted, user, request) => quality(admitted, context, user, String(request.params.type))));
  router.get(
    '/console/api/privacy-report',
    api(async (_admitted, _user, _request, response) => {
      const { mappings, roles, publicSchema } = context.gateway.served;
      const reviews = await context.reviews.byFile(mappings.map((mapping) => mapping.file));
      const html = privacyReportHtml({ mappings, roles, schema: publicSchema, reviews });
      // The report's own policy admits its inline style and nothing else.
      response.type('html').set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'").send(html);
      return undefined;
    }),
  );
  router.get('/console/api/mappings/:file', api(async (_admitted, user, request) => readMapping(context, user, String(request.params.file))));
  router.put('/console/api/mappings/:file', express.json({ limit: MAPPING_LIMIT }), api(async (_admitted, user, request) => writeMapping(context, user, String(request.params.file), request.body)));
  router.post('/console/api/reviews', json, api(async (_admitted, user, request) => recordReview(context, user, request.body)));
  router.use('/console/api', api(async (_admitted, _user, request) => {
    throw new ConsoleRefusal(404, `no console call ${request.method} ${request.path}`);
  }));
  return router;
}

function previewRows(value: unknown): number {
  if (value === undefined) return PREVIEW_ROWS.default;
  const rows = Number(value);
  if (!Number.isInteger(rows) || rows < 1 || rows > PREVIEW_ROWS.max) throw new ConsoleRefusal(400, `rows: a whole number from 1 to ${PREVIEW_ROWS.max}`);
  return rows;
}

/** One cookie's value from the request's Cookie header. */
function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}
