import type { TestClient, TestServer } from "./server.ts";

export type RestAnswer = { status: number; headers: Headers; body: any };

/**
 * One REST request as a plain HTTP client sends it: `body` as JSON (a string is sent as it is),
 * `as` a logged-in client whose access token goes in `Authorization: Bearer`.
 */
export async function rest(
  server: TestServer,
  method: string,
  path: string,
  options: { body?: unknown; as?: TestClient; headers?: Record<string, string> } = {},
): Promise<RestAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as) headers.authorization = `Bearer ${(await options.as.session()).accessToken}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await server.fetch(path, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** A query string from values; objects (input objects such as `filter`) go as JSON. */
export function query(parameters: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    search.set(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  return `?${search}`;
}

/** The extensions.code of each error of an error answer. */
export function codes(answer: RestAnswer): string[] {
  return (answer.body?.errors ?? []).map(
    (error: { extensions?: { code?: string } }) => error.extensions?.code,
  );
}
