/**
 * The query page at `/`: GraphiQL, with its files served by the gateway from the npm packages
 * (the prebuilt bundles `graphiql` 4 and React 18 ship), so it works with no internet access.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { exampleTabs } from './example-tabs.js';

const require = createRequire(import.meta.url);
const inPackage = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** What the page loads, by the name it asks for. */
const assets = new Map<string, string>([
  ['react.production.min.js', inPackage('react', 'umd/react.production.min.js')],
  ['react-dom.production.min.js', inPackage('react-dom', 'umd/react-dom.production.min.js')],
  ['graphiql.min.js', inPackage('graphiql', 'graphiql.min.js')],
  ['graphiql.min.css', inPackage('graphiql', 'graphiql.min.css')],
  ['start.js', here('./start.js')],
  ['page.css', here('./page.css')],
]);

/**
 * Scripts and styles from the gateway only: GraphiQL needs neither eval nor inline scripts, and
 * its fonts and icons are data: URLs inside its CSS. The one style element it adds itself (to
 * keep the page from scrolling under a dialog) carries the page's nonce. The example tabs are a
 * JSON data block, which is never executed.
 */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    'font-src data:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function graphiqlPage(): Router {
  // The files' own digest names their URLs, so browsers may keep them until the gateway is upgraded.
  const digest = createHash('sha256');
  for (const file of assets.values()) digest.update(readFileSync(file));
  const version = digest.digest('hex').slice(0, 16);
  // `<` cannot appear in JSON outside strings, so escaping it keeps `</script>` out of the block.
  const tabs = JSON.stringify(exampleTabs).replace(/</g, '\\u003c');
  const page = readFileSync(here('./page.html'), 'utf8').replaceAll('{{version}}', version).replace('{{tabs}}', tabs);

  const router = Router();
  router.get('/', (_request, response) => {
    const nonce = randomBytes(16).toString('base64');
    response
      .set({ 'content-security-policy': pagePolicy(nonce), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' })
      .type('html')
      .send(page.replace('{{nonce}}', nonce));
  });
  router.get('/graphiql/:version/:name', (request, response, next) => {
    const file = assets.get(request.params.name);
    if (request.params.version !== version || file === undefined) return next();
    response.sendFile(file, { maxAge: '365d', immutable: true, headers: { 'x-content-type-options': 'nosniff' } });
  });
  return router;
}
