import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import { reviewActions } from "../../review/actions.js";

const REVIEW_URL = "/api/v1/articles/3/review/";

const review = (version) => ({
  version,
  article: { text: "Putin disagreed." },
  project: { schema: { span_labels: [{ name: "Claim", attributes: [] }], relations: [] } },
  candidates: [
    { key: "s1", label: "Claim", disputed: false, status: "open", gold_span: null, versions: [{ annotators: ["ana"], start: 0, end: 5, text: "Putin", attrs: {}, spans: [11] }] },
  ],
  gold: { spans: [], relations: [] },
});

/** A page: the state, a view that records what it was told and drew, a server from a script. */
function page(...answers) {
  const state = { review: null, index: null, items: [], selected: null, version: 0, draft: null, pending: null, selection: null };
  const told = [];
  let drawn = 0;
  const view = {
    tell: (message, kind = "info") => told.push([message, kind]),
    draw: () => (drawn += 1),
  };
  const sent = [];
  globalThis.fetch = async (url, init) => {
    sent.push({ method: init.method, url, body: init.body === undefined ? undefined : JSON.parse(init.body) });
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return { status: answer.status, text: async () => JSON.stringify(answer.body) };
  };
  const actions = reviewActions({ state, view, reviewUrl: REVIEW_URL });
  return { state, told, sent, actions, drawn: () => drawn };
}

describe("review actions", () => {
  const realFetch = globalThis.fetch;
  beforeEach(() => {
    globalThis.document = { cookie: "csrftoken=tok" };
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
    delete globalThis.document;
  });

  test("load draws the review and says which keys step through it", async () => {
    const { state, told, sent, actions, drawn } = page({ status: 200, body: review(1) });
    await actions.load();
    assert.deepEqual(sent, [{ method: "GET", url: REVIEW_URL, body: undefined }]);
    assert.equal(state.review.version, 1);
    assert.equal(drawn(), 1);
    assert.deepEqual(told.at(-1), ["j / k step through the disagreements; ? lists every key.", "info"]);
  });

  test("writes run one at a time, each with the gold version the one before left", async () => {
    const { sent, told, actions } = page({ status: 200, body: review(1) }, { status: 200, body: review(2) }, { status: 200, body: review(3) });
    await actions.load();
    actions.accept(11);
    await actions.write("reject/", { span: 12 }, "Rejected.");
    assert.deepEqual(sent.slice(1), [
      { method: "POST", url: `${REVIEW_URL}accept/`, body: { span: 11, version: 1 } },
      { method: "POST", url: `${REVIEW_URL}reject/`, body: { span: 12, version: 2 } },
    ]);
    assert.deepEqual(told.at(-1), ["Rejected.", "info"]);
  });

  test("sending an annotation back carries that annotation's version, not gold's", async () => {
    const { sent, told, actions } = page({ status: 200, body: review(1) }, { status: 200, body: review(1) });
    await actions.load();
    await actions.sendBack(44, "Look again.", 3);
    assert.deepEqual(sent[1], { method: "POST", url: "/api/v1/annotations/44/return/", body: { comment: "Look again.", version: 3 } });
    assert.deepEqual(told.at(-1), ["Sent back with your comment.", "info"]);
  });

  test("a 409 loads the latest review and says so; a refusal says the server's words", async () => {
    const { state, told, actions } = page(
      { status: 200, body: review(1) },
      { status: 409, body: { errors: [{ code: "conflict", message: "Changed." }] } },
      { status: 200, body: review(5) },
      { status: 400, body: { errors: [{ field: "span", code: "invalid", message: "No such span." }] } },
    );
    await actions.load();
    await actions.write("accept-agreed/", {}, "Accepted every agreed span and relation.");
    assert.equal(state.review.version, 5);
    assert.deepEqual(told.at(-1), ["Someone else changed this review meanwhile; this is the latest version.", "error"]);
    await actions.write("reject/", { span: 99 }, "Rejected.");
    assert.deepEqual(told.at(-1), ["No such span.", "error"]);
  });

  test("no connection: nothing was saved", async () => {
    const { told, actions } = page({ status: 200, body: review(1) }, new TypeError("Failed to fetch"));
    await actions.load();
    await actions.markReviewed();
    assert.deepEqual(told.at(-1), ["Could not reach the server; nothing was saved. Try again.", "error"]);
  });
});
