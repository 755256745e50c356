/** One-off HTTP requests from the harness (verification, metrics), each bounded in time. */

const REQUEST_TIMEOUT_MS = 60_000;

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;

export type Answer = { ok: true; text: string; json: unknown } | { ok: false; error: string };

/** POSTs a query; an HTTP error, a non-JSON body or a GraphQL `errors` entry is a failed answer. */
export async function postQuery(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const text = await response.text();
  let json: { data?: unknown; errors?: { message?: string }[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return { ok: false, error: `HTTP ${response.status}, not JSON: ${text.slice(0, 200)}` };
  }
  const firstError = json.errors?.[0]?.message;
  if (firstError !== undefined) return { ok: false, error: firstError };
  if (response.status !== 200 || json.data === undefined || json.data === null) return { ok: false, error: `HTTP ${response.status} without data` };
  return { ok: true, text, json };
}

/** GETs a text document, or undefined when the server does not answer 200. */
export async function getText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    return response.ok ? text : undefined;
  } catch {
    return undefined;
  }
}
