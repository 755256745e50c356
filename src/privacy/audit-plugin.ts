/** An Apollo Server plugin that writes each request's audit line when its response is sent. */
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../request/context.js';
import type { AuditSink } from './audit.js';

export function auditPlugin(sink: AuditSink): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue }) {
          const line = contextValue.audit.line(contextValue.caller.role, contextValue.caller.subject);
          if (line) sink(line);
        },
      };
    },
  };
}
