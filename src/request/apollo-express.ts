/**
 * A role's Apollo Server as an Express handler: Apollo's own integration contract
 * (`executeHTTPGraphQLRequest`), as @as-integrations/express5 implements it, with the answer
 * written as the text Apollo composed. That package sends it through Express's `res.send`, which
 * copies every answer into a Buffer first (to measure it, and to hash it for an ETag the gateway
 * does not use): a page of rows is tens of kilobytes, copied once more per request.
 */
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';

export function apolloHandler<Context extends BaseContext>(server: ApolloServer<Context>, contextOf: (request: Request) => Promise<Context>): RequestHandler {
  server.assertStarted('apolloHandler()');
  return async (request, response) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const query = request.originalUrl.indexOf('?');
    const answer = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method.toUpperCase(), headers, search: query < 0 ? '' : request.originalUrl.slice(query), body: request.body },
      context() {
        return contextOf(request);
      },
    });
    for (const [key, value] of answer.headers) response.setHeader(key, value);
    response.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'chunked') {
      for await (const chunk of answer.body.asyncIterator) response.write(chunk);
      response.end();
      return;
    }
    // A GET answered from the response cache carries its ETag: a client that holds it is told 304.
    if (request.fresh) {
      response.statusCode = 304;
      for (const name of ['content-type', 'content-length', 'transfer-encoding']) response.removeHeader(name);
      response.end();
      return;
    }
    response.setHeader('content-length', Buffer.byteLength(answer.body.string));
    response.end(answer.body.string);
  };
}
