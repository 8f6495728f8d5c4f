import { Client, fetchExchange, type OperationResult, subscriptionExchange } from "@urql/core";
import { createClient as createSseClient } from "graphql-sse";
import {
  BrowseProductsDocument,
  type BrowseProductsQueryVariables,
  CreateProductDocument,
  type CreateProductInput,
  LogInDocument,
  ProductChangedDocument,
  type ProductChangedSubscription,
  ProductDetailDocument,
  RefreshSessionDocument,
  type SessionFragment,
  UpdateProductDocument,
  type UpdateProductInput,
} from "../generated/graphql.ts";

// A small typed client of the catalog API, as a client team would write it: urql for queries and
// mutations over HTTP, graphql-sse for subscriptions (Server-Sent Events), and the documents and
// types that GraphQL Code Generator writes into ../generated from ../operations/*.graphql.
// Every variable and every field read below is checked by tsc against schema.graphql.

/** An expected failure the API answered with a typed error (nothing was written). */
export class CatalogError extends Error {
  constructor(
    /** The error type, e.g. ValidationError or ConflictError. */
    readonly type: string,
    message: string,
    readonly code: string,
    /** ValidationError only: what is wrong with which input field. */
    readonly fieldErrors: readonly { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "CatalogError";
  }
}

export type ProductChange = ProductChangedSubscription["productChanged"];

/** The data of a result, or its error thrown (network, or GraphQL errors such as FORBIDDEN). */
function dataOf<Data>(result: OperationResult<Data>): Data {
  if (result.error) throw result.error;
  if (!result.data) throw new Error("The API answered without data.");
  return result.data;
}

/** A mutation's union answer: the payload when its __typename is `expected`, else a CatalogError. */
function payloadOf<Answer extends { __typename: string }, Expected extends Answer["__typename"]>(
  answer: Answer,
  expected: Expected,
): Extract<Answer, { __typename: Expected }> {
  if (answer.__typename === expected) return answer as Extract<Answer, { __typename: Expected }>;
  const failure = answer as Answer & {
    message?: string;
    code?: string;
    fieldErrors?: CatalogError["fieldErrors"];
  };
  throw new CatalogError(answer.__typename, failure.message ?? "", failure.code ?? "", failure.fieldErrors);
}

/** A client of the API at `url` (e.g. http://localhost:4000/graphql); it keeps its own session. */
export function createCatalogClient(url: string) {
  let session: SessionFragment | null = null;
  const authorization = (): Record<string, string> =>
    session ? { authorization: `Bearer ${session.accessToken}` } : {};

  // Distinct connections (one event stream per subscription) at the same /graphql endpoint.
  const sse = createSseClient({ url, headers: authorization });
  const client = new Client({
    url,
    fetchOptions: () => ({ headers: authorization() }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: sse.subscribe({ ...request, query: request.query ?? "" }, sink),
          }),
        }),
      }),
    ],
    // No document cache: every call asks the server (a browsing UI would add urql's cacheExchange).
    requestPolicy: "network-only",
  });

  return {
    /** The current session, or null before logIn. */
    get session() {
      return session;
    },

    async logIn(email: string, password: string): Promise<SessionFragment> {
      const data = dataOf(await client.mutation(LogInDocument, { input: { email, password } }).toPromise());
      session = payloadOf(data.logIn, "AuthPayload");
      return session;
    },

    /** Trades the session's refresh token for a new pair; the old refresh token stops working. */
    async refresh(): Promise<SessionFragment> {
      if (!session) throw new Error("Log in first.");
      const { refreshToken } = session;
      const data = dataOf(await client.mutation(RefreshSessionDocument, { refreshToken }).toPromise());
      session = payloadOf(data.refreshToken, "AuthPayload");
      return session;
    },

    /** One page of products: `first`/`after` forward, `last`/`before` backward. */
    async browseProducts(variables: BrowseProductsQueryVariables) {
      return dataOf(await client.query(BrowseProductsDocument, variables).toPromise()).products;
    },

    /** A product by its global id; null when there is none the session may see. */
    async productDetail(id: string) {
      return dataOf(await client.query(ProductDetailDocument, { id }).toPromise()).product;
    },

    /** Staff and admins: creates a product and answers it, or throws a CatalogError. */
    async createProduct(input: CreateProductInput) {
      const data = dataOf(await client.mutation(CreateProductDocument, { input }).toPromise());
      return payloadOf(data.createProduct, "CreateProductPayload").product;
    },

    /** Staff and admins: changes only the fields given; answers the product, or throws a CatalogError. */
    async updateProduct(input: UpdateProductInput) {
      const data = dataOf(await client.mutation(UpdateProductDocument, { input }).toPromise());
      return payloadOf(data.updateProduct, "UpdateProductPayload").product;
    },

    /** Calls onChange with each change of the product as it commits; answers a function that stops. */
    watchProduct(
      productId: string,
      onChange: (change: ProductChange) => void,
      onError?: (error: Error) => void,
    ) {
      const { unsubscribe } = client
        .subscription(ProductChangedDocument, { productId })
        .subscribe((result) => {
          if (result.error) onError?.(result.error);
          else if (result.data) onChange(result.data.productChanged);
        });
      return unsubscribe;
    },

    /** Ends every subscription and closes the event streams. */
    close() {
      sse.dispose();
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
