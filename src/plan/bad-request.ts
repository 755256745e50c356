import { GraphQLError } from 'graphql';

/** A query the caller must change: names the argument at fault, never a stored value. */
export function badRequest(argument: string, message: string): GraphQLError {
  return new GraphQLError(`${argument}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argument } });
}
