// What a front-end team writes against the types generated from the merged OpenAPI document
// (clients/typescript/api.d.ts, by openapi-typescript: `make client`). `make contract-check`
// compiles it with `tsc --strict`: a document whose types cannot be used this way fails it.
import createClient from "openapi-fetch";

import type { components, paths } from "../../clients/typescript/api";

type Problem = components["schemas"]["Problem"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });

/** The message to show for a problem, naming each field at fault. */
export function describe(problem: Problem): string {
  const fields = (problem.errors ?? []).map((error) => `${error.field}: ${error.reason}`);
  return [problem.detail ?? problem.title, ...fields].join("\n");
}

/** Sign in; a lockout (429) says when to try again. */
export async function signIn(email: string, password: string): Promise<string> {
  const { data, error, response } = await api.POST("/api/v1/auth/login", {
    body: { email, password },
  });
  if (data !== undefined) {
    return data.access_token;
  }
  if (response.status === 429) {
    throw new Error(`Try again in ${response.headers.get("Retry-After") ?? "a few"} seconds`);
  }
  throw new Error(describe(error));
}

type OfferPage =
  paths["/api/v1/offers"]["get"]["responses"][200]["content"]["application/json"];

async function offerPage(region: string, cursor: string | null, token?: string): Promise<OfferPage> {
  const { data, error } = await api.GET("/api/v1/offers", {
    params: { query: { region, limit: 200, cursor } },
    ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  });
  if (error !== undefined) {
    throw new Error(describe(error));
  }
  return data;
}

/** The ids of every offer of a region the caller may see, page by page (keyset pagination). */
export async function offersOfRegion(region: string, token?: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await offerPage(region, cursor, token);
    ids.push(...page.items.map((offer) => offer.id));
    cursor = page.next_cursor ?? null;
  } while (cursor !== null);
  return ids;
}

/** The region names in Arabic, by code (reference data: public, no credentials). */
export async function regionNames(): Promise<Map<string, string>> {
  const { data, error } = await api.GET("/api/v1/reference/regions");
  if (error !== undefined) {
    throw new Error(describe(error));
  }
  return new Map(data.map((region) => [region.code, region.name_ar]));
}
