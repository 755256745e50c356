/**
 * The console's page and its two files, served by the gateway itself (no CDN, nothing fetched
 * from elsewhere): plain browser JavaScript and CSS, charts and maps drawn as SVG by the
 * script, so there is nothing to bundle. Their URLs carry their digest, so browsers keep them
 * until the gateway is upgraded.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const ASSETS = new Map([
  ['console.js', here('./console.js')],
  ['console.css', here('./console.css')],
]);

/** The page's own files only; the privacy report is framed from the console's own API. */
const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface ConsolePage {
  /** The page, with `status` (403 when the caller may not use the console: the page then offers to sign in). */
  send(response: Response, status: number): void;
  asset(request: Request, response: Response, next: () => void): void;
}

export function consolePage(): ConsolePage {
  const digest = createHash('sha256');
  for (const file of ASSETS.values()) digest.update(readFileSync(file));
  const version = digest.digest('hex').slice(0, 16);
  const html = readFileSync(here('./console.html'), 'utf8').replaceAll('{{version}}', version);
  return {
    send(response, status) {
      response
        .status(status)
        .set({ 'content-security-policy': POLICY, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' })
        .type('html')
        .send(html);
    },
    asset(request, response, next) {
      const file = ASSETS.get(String(request.params.name));
      if (request.params.version !== version || file === undefined) return next();
      response.sendFile(file, { maxAge: '365d', immutable: true, headers: { 'x-content-type-options': 'nosniff' } });
    },
  };
}
