// Talking to the JSON API (/api/v1/): JSON in and out, Django's CSRF token from the
// `csrftoken` cookie, and errors in the API's one shape {"errors": [{field, code, message}]}.
// The one HTTP client of every page; `document` is read only when a request is sent.

export const API_ROOT = "/api/v1/";

export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** The messages of an API error body ({"errors": [{field, code, message}]}), joined. */
export function errorMessage(body, fallback = "") {
  const errors = body && Array.isArray(body.errors) ? body.errors : [];
  const text = errors
    .map((error) => error && error.message)
    .filter(Boolean)
    .join(" ");
  return text || fallback;
}

/** An HTTP answer that was not 2xx. `errors` is the API's list; `message` joins them. */
export class ApiError extends Error {
  constructor(status, body) {
    super(errorMessage(body, `The server answered ${status}.`));
    this.status = status;
    this.body = body;
    this.errors = body && Array.isArray(body.errors) ? body.errors : [];
  }
}

/** A random UUID (v4) for a client_id, also where crypto.randomUUID is missing (plain-http pages). */
export function newClientId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Send a request; resolve to {status, body} whatever the status (body is the parsed JSON, or
 * null). Rejects only when the network fails (TypeError), which callers treat as "offline".
 * `path` is relative to API_ROOT unless it starts with "/".
 */
export async function request(method, path, data) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  if (data !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(data);
  }
  const response = await fetch(path.startsWith("/") ? path : API_ROOT + path, init);
  let body = null;
  if (response.status !== 204) {
    const text = await response.text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = { errors: [{ field: "", code: "not_json", message: `The server answered ${response.status}.` }] };
      }
    }
  }
  return { status: response.status, body };
}

/** Like request, but resolves to the body of a 2xx answer and throws ApiError otherwise. */
export async function call(method, path, data) {
  const { status, body } = await request(method, path, data);
  if (status < 200 || status >= 300) throw new ApiError(status, body);
  return body;
}
