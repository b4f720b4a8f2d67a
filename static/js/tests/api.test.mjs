import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import { ApiError, call, csrfToken, errorMessage, newClientId, request } from "../api.js";

test("errorMessage joins the messages of an API error body, or falls back", () => {
  const body = { errors: [{ field: "start", code: "invalid", message: "Start is past the end." }, { message: "Also this." }] };
  assert.equal(errorMessage(body), "Start is past the end. Also this.");
  assert.equal(errorMessage({ errors: [] }, "fallback"), "fallback");
  assert.equal(errorMessage(null, "fallback"), "fallback");
  assert.equal(errorMessage({ detail: "not our shape" }), "");
});

test("ApiError carries the status, the body and the API's errors, and says their messages", () => {
  const body = { errors: [{ field: "version", code: "conflict", message: "Changed elsewhere." }] };
  const error = new ApiError(409, body);
  assert.equal(error.message, "Changed elsewhere.");
  assert.equal(error.status, 409);
  assert.equal(error.body, body);
  assert.deepEqual(error.errors, body.errors);
  assert.equal(new ApiError(502, null).message, "The server answered 502.");
  assert.deepEqual(new ApiError(502, null).errors, []);
});

test("newClientId is a version 4 UUID, also without crypto.randomUUID", () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(newClientId(), uuid);
  const randomUUID = crypto.randomUUID;
  try {
    crypto.randomUUID = undefined;
    const ids = new Set(Array.from({ length: 20 }, () => newClientId()));
    assert.equal(ids.size, 20);
    for (const id of ids) assert.match(id, uuid);
  } finally {
    crypto.randomUUID = randomUUID;
  }
});

describe("request and call", () => {
  let sent;
  let answer;
  const realFetch = globalThis.fetch;

  beforeEach(() => {
    sent = [];
    answer = { status: 200, text: '{"ok": true}' };
    globalThis.document = { cookie: "sessionid=x; csrftoken=t%3Dk" };
    globalThis.fetch = async (url, init) => {
      sent.push({ url, ...init });
      return { status: answer.status, text: async () => answer.text };
    };
  });

  afterEach(() => {
    globalThis.fetch = realFetch;
    delete globalThis.document;
  });

  test("the CSRF token comes from the csrftoken cookie", () => {
    assert.equal(csrfToken(), "t=k");
    globalThis.document.cookie = "sessionid=x";
    assert.equal(csrfToken(), "");
  });

  test("a relative path is below /api/v1/, an absolute one is kept", async () => {
    await request("GET", "annotations/7/");
    await request("GET", "/api/v1/articles/3/review/");
    assert.deepEqual(sent.map((r) => r.url), ["/api/v1/annotations/7/", "/api/v1/articles/3/review/"]);
  });

  test("a GET sends no token and no body; a write sends JSON with the token", async () => {
    await request("GET", "annotations/7/");
    await request("DELETE", "annotations/7/spans/1/", { version: 3 });
    const [get, del] = sent;
    assert.deepEqual(get.headers, { Accept: "application/json" });
    assert.equal(get.body, undefined);
    assert.equal(get.credentials, "same-origin");
    assert.deepEqual(del.headers, { Accept: "application/json", "X-CSRFToken": "t=k", "Content-Type": "application/json" });
    assert.equal(del.body, '{"version":3}');
  });

  test("request resolves whatever the status; a body that is not JSON becomes an API error", async () => {
    answer = { status: 500, text: "<h1>Server Error</h1>" };
    const { status, body } = await request("GET", "x/");
    assert.equal(status, 500);
    assert.equal(errorMessage(body), "The server answered 500.");
    answer = { status: 204, text: "" };
    assert.deepEqual(await request("DELETE", "x/"), { status: 204, body: null });
  });

  test("call resolves to a 2xx body and throws ApiError otherwise", async () => {
    assert.deepEqual(await call("GET", "x/"), { ok: true });
    answer = { status: 400, text: '{"errors": [{"field": "label", "code": "unknown", "message": "No such label."}]}' };
    await assert.rejects(call("POST", "x/", {}), (error) => error instanceof ApiError && error.status === 400 && error.message === "No such label.");
  });
});
