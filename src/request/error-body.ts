/**
 * An answer without data, shaped the way GraphQL clients read errors: `message` for people,
 * `extensions.code` and the figures of the limit a request broke for programs.
 */
export interface ErrorBody {
  errors: [{ message: string; extensions: { code: string } & Record<string, number | string> }];
}

export function errorBody(code: string, message: string, details: Record<string, number> = {}): ErrorBody {
  return { errors: [{ message, extensions: { code, ...details } }] };
}
