import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import type { Plugin } from "graphql-yoga";

/**
 * CSRF prevention for POSTs only. A browser sends some requests cross-site without a CORS
 * preflight: a form post (urlencoded, multipart, text/plain), an image, a link, a plain GET.
 * - A POST of that kind must carry the x-graphql-yoga-csrf header, which such a request cannot
 *   set; a JSON POST is always preflighted, so it passes. A form could otherwise sign a visitor up
 *   or log them in to an attacker's account (logIn, signUp).
 * - A GET needs no header: it runs queries only (Yoga refuses a mutation over GET with 405), a
 *   query changes nothing, and a cross-site page cannot read the answer without CORS. Nor does a
 *   browser add credentials of its own: the API reads a Bearer token, never a cookie. So curl,
 *   server-side clients and caching proxies can send plain GET queries.
 */
export function crossSiteRequestPrevention(): Plugin {
  const { onRequestParse } = useCSRFPrevention();
  return {
    onRequestParse(payload) {
      if (payload.request.method === "GET") return;
      return onRequestParse?.(payload);
    },
  };
}
