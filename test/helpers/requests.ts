import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { expect } from "vitest";
import type { GraphQLResponse, TestServer } from "./server.ts";

// Requests over plain HTTP, for the tests of what a server does with a request as a whole: its
// status and headers as well as its body.

/** A query every server answers, whatever its limits. */
export const CHEAP_QUERY = "{ products(first: 1) { totalCount } }";

/** POSTs a JSON body and returns the HTTP status, the headers and the parsed body. */
export async function postJson(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const response = await server.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: parseBody(text) };
}

export function parseBody(text: string): GraphQLResponse {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Asserts that a normal operation still gets a normal answer from this server. */
export async function expectStillServing(server: TestServer) {
  const body = await server.graphql(CHEAP_QUERY);
  expect(body.errors).toBeUndefined();
  expect(body.data).toEqual({ products: { totalCount: expect.any(Number) } });
}

export type RawResponse = { status: number; headers: IncomingHttpHeaders; body: Buffer };

/**
 * A GET through node:http, for what fetch hides: the body as sent (fetch decompresses it) and
 * headers fetch will not send (Host).
 */
export function getRaw(server: TestServer, path: string, headers: Record<string, string> = {}) {
  const url = new URL(server.url);
  return new Promise<RawResponse>((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, path, headers, agent: false });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}
