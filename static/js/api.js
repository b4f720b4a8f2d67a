// Talking to the JSON API (/api/v1/): JSON in and out, Django's CSRF token from the
// `csrftoken` cookie, and errors in the API's one shape {"errors": [{field, code, message}]}.

export const API_ROOT = "/api/v1/";

export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** An HTTP answer that was not 2xx. `errors` is the API's list; `message` joins them. */
export class ApiError extends Error {
  constructor(status, body) {
    const errors = body && Array.isArray(body.errors) ? body.errors : [];
    const message = errors.map((e) => e.message).filter(Boolean).join(" ");
    super(message || `The server answered ${status}.`);
    this.status = status;
    this.body = body;
    this.errors = errors;
  }
}

/**
 * Send a request; resolve to {status, body} whatever the status (body is the parsed JSON, or
 * null). Rejects only when the network fails (TypeError), which callers treat as "offline".
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
