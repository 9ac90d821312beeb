// The examples of docs/calling-the-api.md, block by block in the same order (the test
// tests/test_frontend_page.py checks they are the page's): `make contract-check` compiles them
// with `tsc --strict` against the committed types, so the page cannot drift from the API.

import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "../../clients/typescript/api";

type Problem = components["schemas"]["Problem"];
type TokenPair = components["schemas"]["TokenPair"];
type OfferRead = components["schemas"]["OfferRead"];

// Same origin as the front-end (through the edge): no CORS, no origin in the code.
export const api = createClient<paths>({ baseUrl: window.location.origin });

let tokens: TokenPair | null = null;

// Every call carries the current access token.
const bearer: Middleware = {
  onRequest({ request }) {
    if (tokens !== null) {
      request.headers.set("Authorization", `Bearer ${tokens.access_token}`);
    }
    return request;
  },
};
api.use(bearer);

export async function signIn(email: string, password: string): Promise<void> {
  const { data, error } = await api.POST("/api/v1/auth/login", { body: { email, password } });
  if (error !== undefined) {
    throw new ProblemError(error); // 401 wrong credentials, 429 locked out (see Retry-After)
  }
  tokens = data;
}

let renewing: Promise<boolean> | null = null;

async function renew(): Promise<boolean> {
  if (tokens === null) {
    return false;
  }
  const { data } = await api.POST("/api/v1/auth/refresh", {
    body: { refresh_token: tokens.refresh_token },
  });
  tokens = data ?? null; // refused: the person signs in again
  return data !== undefined;
}

/** Runs `call`; on a 401 renews the tokens and runs it again, once. A refresh token is single
 * use, so concurrent calls share one renewal. */
export async function withRenewal<T extends { response: Response }>(
  call: () => Promise<T>,
): Promise<T> {
  const first = await call();
  if (first.response.status !== 401 || tokens === null) {
    return first;
  }
  renewing ??= renew().finally(() => {
    renewing = null;
  });
  return (await renewing) ? call() : first;
}

type OfferPage = components["schemas"]["Page_OfferRead_"];

async function offerPage(region: string, cursor: string | null): Promise<OfferPage> {
  const { data, error } = await withRenewal(() =>
    api.GET("/api/v1/offers", { params: { query: { region, limit: 100, cursor } } }),
  );
  if (error !== undefined) {
    throw new ProblemError(error);
  }
  return data;
}

export async function offersOf(region: string): Promise<OfferRead[]> {
  const offers: OfferRead[] = [];
  let cursor: string | null = null;
  do {
    const page = await offerPage(region, cursor);
    offers.push(...page.items);
    cursor = page.next_cursor ?? null; // null: this was the last page
  } while (cursor !== null);
  return offers;
}

export class ProblemError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
  }

  /** Why each field was refused (422), to show beside its input; `code` is stable. */
  byField(): Map<string, { reason: string; code: string | null }> {
    return new Map(
      (this.problem.errors ?? []).map((error) => [
        error.field,
        { reason: error.reason, code: error.code ?? null },
      ]),
    );
  }
}

/** Changes an offer's French title unless someone changed the offer since it was read. */
export async function retitle(offerId: string, title: string): Promise<"saved" | "changed"> {
  const path = { offer_id: offerId };
  const read = await withRenewal(() => api.GET("/api/v1/offers/{offer_id}", { params: { path } }));
  if (read.error !== undefined) {
    throw new ProblemError(read.error);
  }
  const version = read.response.headers.get("ETag");
  const header = version === null ? {} : { "If-Match": version };
  const { error, response } = await withRenewal(() =>
    api.PATCH("/api/v1/offers/{offer_id}", {
      params: { path, header },
      body: { title_fr: title },
    }),
  );
  if (response.status === 412) {
    return "changed"; // read it again and let the person decide
  }
  if (error !== undefined) {
    throw new ProblemError(error);
  }
  return "saved";
}
