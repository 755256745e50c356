/** `GET /data.json`: the DCAT-US v1.1 catalog of what the caller's role may see (./data-json.ts). */
import { Router } from 'express';
import type { GraphQLEndpoint } from '../graphql-endpoint.js';
import { OperationFailed } from '../role-datasets.js';
import { dataJson } from './data-json.js';

/** `reviewed`: by dataset type, when its mapping file as it is now was last reviewed (see dataJson). */
export function catalogRouter(endpoint: GraphQLEndpoint, reviewed: () => Promise<ReadonlyMap<string, string>> = async () => new Map()): Router {
  const router = Router();
  router.get('/data.json', (request, response) =>
    endpoint.runAs(request, response, async (admitted) => {
      try {
        response.json(await dataJson(admitted, `${request.protocol}://${request.get('host')}`, await reviewed()));
      } catch (error) {
        if (!(error instanceof OperationFailed)) throw error;
        // A refused operation (the window's cost spent, a source down) is answered as GraphQL answered it.
        response.status(error.answer.status >= 400 ? error.answer.status : 503).json({ errors: error.answer.result.errors });
      }
    }),
  );
  return router;
}
