import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { CHEAP_QUERY, expectStillServing, parseBody, postJson } from "./helpers/requests.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

// The limits on a request as a whole: how long a client may take to send it, how large its body
// may be, and how long its operation may run.

/** A GraphQL body padded (with an unused variable) to exactly `bytes` bytes of JSON. */
function paddedBody(bytes: number, query = "{ __typename }"): string {
  const empty = JSON.stringify({ query, variables: { pad: "" } });
  const body = JSON.stringify({ query, variables: { pad: "x".repeat(bytes - empty.length) } });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

type RawOutcome = { status?: number; body?: string; error?: string };

/**
 * POSTs a body with node:http in several writes and no Content-Length, so it goes out as
 * `Transfer-Encoding: chunked` and the server cannot know its size up front. Resolves with the
 * response, or with the error if the server closed the connection instead of answering.
 */
function postChunked(server: TestServer, chunks: string[]): Promise<RawOutcome> {
  const url = new URL("/graphql", server.url);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "application/json", connection: "close" },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => settle({ status: response.statusCode, body }));
        response.on("error", (error) => settle({ status: response.statusCode, body, error: error.message }));
      },
    );
    request.on("error", (error) => settle({ error: error.message }));
    const writeNext = (index: number) => {
      if (index === chunks.length) {
        request.end();
        return;
      }
      if (request.destroyed) return;
      request.write(chunks[index], () => setImmediate(() => writeNext(index + 1)));
    };
    expect(request.getHeader("content-length")).toBeUndefined();
    writeNext(0);
  });
}

function chunksOf(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size));
  return chunks;
}

describe("slow clients (REQUEST_TIMEOUT_MS=1000)", () => {
  const server = startTestServer({ REQUEST_TIMEOUT_MS: "1000" });

  /** Sends `data` over a raw connection, then waits (without sending more) until the server closes it. */
  function sendAndWait(data: string): Promise<string> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write(data));
      let received = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => {
        received += chunk;
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(received));
    });
  }

  it("answers 408 and closes a connection whose headers never end", async () => {
    const answer = await sendAndWait(
      "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("answers 408 and closes a connection whose body never arrives in full", async () => {
    const body = JSON.stringify({ query: CHEAP_QUERY });
    const answer = await sendAndWait(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 50}\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("still answers ordinary requests", async () => {
    expect((await postJson(server, { query: CHEAP_QUERY })).status).toBe(200);
  });
});

describe("request body size (MAX_BODY_BYTES=2048)", () => {
  const server = startTestServer({ MAX_BODY_BYTES: "2048" });

  it("refuses a 3 KB body that declares its Content-Length with 413", async () => {
    const result = await postJson(server, paddedBody(3072));
    expect(result.status).toBe(413);
    expect(result.body.errors?.[0]?.message).toContain("2048 bytes");
  });

  it("refuses a chunked body that grows past the limit: 413 or a closed connection, never an answer", async () => {
    const outcome = await postChunked(server, chunksOf(paddedBody(4096), 512));
    if (outcome.status !== undefined) expect(outcome.status).toBe(413);
    else expect(outcome.error).toBeDefined();
    expect(outcome.body ?? "").not.toContain("__typename");
  });

  it("runs a body just under the limit, with Content-Length or chunked", async () => {
    const declared = await postJson(server, paddedBody(2040));
    expect(declared.status).toBe(200);
    expect(declared.body).toEqual({ data: { __typename: "Query" } });

    const chunked = await postChunked(server, chunksOf(paddedBody(2040), 500));
    expect(chunked.status).toBe(200);
    expect(parseBody(chunked.body ?? "")).toEqual({ data: { __typename: "Query" } });
  });

  it("still answers a normal request afterwards", async () => {
    await expectStillServing(server);
  });
});

// ---------------------------------------------------------------------------------------------
// Execution timeout

describe("execution timeout (EXECUTION_TIMEOUT_MS=10)", () => {
  const server = startTestServer({ EXECUTION_TIMEOUT_MS: "10" });

  it("stops an operation that runs longer (a log-in hashes with scrypt) with TIMEOUT", async () => {
    const result = await postJson(server, {
      query: `mutation ($input: LogInInput!) { logIn(input: $input) { __typename } }`,
      variables: { input: { email: "nobody@example.test", password: "wrong password" } },
    });
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.[0]?.extensions?.code).toBe("TIMEOUT");
    expect(result.body.errors?.[0]?.message).toMatch(/longer than 10 ms/);
    expect(result.status).toBe(503);
  });

  it("still runs a cheap operation", async () => {
    const body = await server.graphql("{ __typename }");
    expect(body).toEqual({ data: { __typename: "Query" } });
  });
});
