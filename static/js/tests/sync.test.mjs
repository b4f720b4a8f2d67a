import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { OffsetIndex } from "../offsets.js";
import { PendingStorage } from "../savequeue.js";
import { Store } from "../store.js";
import { Sync, landedIn, refersTo } from "../sync.js";

const schema = {
  span_labels: [{ name: "Quote" }, { name: "Source" }],
  relations: [{ name: "attributed_to", from: ["Quote"], to: ["Source"], attributes: [] }],
};
const text = "Putin told Macron it was “unacceptable”.";

function memory() {
  const data = new Map();
  return {
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k),
    data,
  };
}

const annotation = (version, spans = [], relations = []) => ({ id: 7, status: "draft", version, spans, relations });
const putin = { id: 1, client_id: "p", label: "Source", start: 0, end: 5, text: "Putin", attrs: {} };
const createMacron = { kind: "createSpan", key: "c:m", client_id: "m", label: "Source", start: 11, end: 17, text: "Macron", attrs: {} };

/** A page that loads `payload`, in a tab whose previous page left `ops` based on `version`. */
function reload(payload, version, ops) {
  const storage = memory();
  const session = memory();
  session.setItem("annotator:tab", "old-tab");
  new PendingStorage(storage, "annotator:pending:7", "old-tab").write({ version, ops });
  const store = new Store(schema);
  store.load(payload);
  const sent = [];
  // The server never answers here: what matters is what the page queues, not the network.
  const request = (method, path, body) => (sent.push({ method, path, body }), new Promise(() => {}));
  const sync = new Sync({ store, schema, annotation: payload, text, index: new OffsetIndex(text), storage, session, request });
  return { store, sync, storage, sent };
}

describe("landedIn", () => {
  const payload = annotation(5, [putin], [{ id: 9, client_id: "r", label: "attributed_to", from: 1, to: 1, attrs: {} }]);
  const landed = landedIn(payload);

  test("a create landed when the server holds its client id", () => {
    assert.equal(landed({ kind: "createSpan", client_id: "p" }), true);
    assert.equal(landed({ kind: "createSpan", client_id: "x" }), false);
    assert.equal(landed({ kind: "createRelation", client_id: "r" }), true);
  });

  test("a delete landed when the span or relation is gone", () => {
    assert.equal(landed({ kind: "deleteSpan", key: "c:p" }), false);
    assert.equal(landed({ kind: "deleteSpan", key: "id:44" }), true);
    assert.equal(landed({ kind: "deleteRelation", key: "c:r" }), false);
  });

  test("an update landed when the span has the new values", () => {
    assert.equal(landed({ kind: "updateSpan", key: "c:p", changes: { attrs: {} } }), true);
    assert.equal(landed({ kind: "updateSpan", key: "c:p", changes: { label: "Quote" } }), false);
  });
});

test("refersTo finds an operation's spans, ends and span attributes", () => {
  assert.equal(refersTo({ key: "c:a" }, "c:a"), true);
  assert.equal(refersTo({ key: "c:r", from: "c:a", to: "c:b" }, "c:b"), true);
  assert.equal(refersTo({ key: "c:r", attrs: { cue: "c:z" } }, "c:z"), true);
  assert.equal(refersTo({ key: "c:r", from: "c:a", to: "c:b" }, "c:z"), false);
});

describe("Sync after a reload", () => {
  test("unsent operations of the previous page are applied, queued and sent again", () => {
    const { store, sync, sent } = reload(annotation(3, [putin]), 3, [createMacron]);
    const earlier = sync.earlier();
    assert.equal(earlier.conflict, false);
    assert.deepEqual(earlier.ops.map((o) => o.key), ["c:m"]);
    assert.deepEqual(sync.replay(earlier.ops, earlier.tabs), { applied: 1, dropped: 0 });
    assert.equal(store.span("c:m").text, "Macron");
    assert.equal(sync.queue.size, 1);
    assert.deepEqual(sent, [
      {
        method: "POST",
        path: "annotations/7/spans/",
        body: { version: 3, client_id: "m", label: "Source", start: 11, end: 17, text: "Macron", attrs: {} },
      },
    ]);
  });

  test("a create that reached the server before the reload is not sent again", () => {
    const macron = { ...putin, id: 2, client_id: "m", start: 11, end: 17, text: "Macron" };
    const { sync, storage } = reload(annotation(4, [putin, macron]), 3, [createMacron]);
    assert.deepEqual(sync.earlier().ops, []);
    assert.equal(storage.data.size, 0, "the old entry is forgotten");
  });

  test("an edit of a span changed elsewhere since is a conflict to ask about", () => {
    const update = { kind: "updateSpan", key: "c:p", changes: { label: "Quote" }, before: { label: "Source", attrs: {} } };
    const { sync, store } = reload(annotation(6, [putin]), 3, [update]);
    const earlier = sync.earlier();
    assert.equal(earlier.conflict, true);
    assert.equal(store.span("c:p").label, "Source", "nothing applied before the analyst decides");
  });

  test("an operation on a span that is gone is left out and counted", () => {
    const remove = { kind: "deleteSpan", key: "c:gone", snapshot: null };
    const { sync } = reload(annotation(3, [putin]), 3, [createMacron, remove]);
    const earlier = sync.earlier();
    assert.deepEqual(sync.replay(earlier.ops, earlier.tabs), { applied: 1, dropped: 1 });
  });

  test("a create whose text no longer matches the article is not replayed", () => {
    const wrong = { ...createMacron, text: "Merkel" };
    const { sync } = reload(annotation(3, [putin]), 3, [wrong]);
    const earlier = sync.earlier();
    assert.deepEqual(sync.replay(earlier.ops, earlier.tabs), { applied: 0, dropped: 1 });
  });
});

describe("changing a relation's attributes", () => {
  const cueSchema = {
    span_labels: [{ name: "Quote" }, { name: "Source" }, { name: "Cue" }],
    relations: [
      {
        name: "attributed_to",
        from: ["Quote"],
        to: ["Source"],
        attributes: [{ name: "cue", type: "span", labels: ["Cue"] }],
      },
    ],
  };
  const quote = { id: 3, client_id: "q", label: "Quote", start: 25, end: 39, text: "“unacceptable”", attrs: {} };
  const told = { id: 4, client_id: "t", label: "Cue", start: 6, end: 10, text: "told", attrs: {} };
  const link = { id: 9, client_id: "r", label: "attributed_to", from: 3, to: 1, attrs: { cue: 4 } };
  const payload = annotation(5, [putin, quote, told], [link]);

  test("it landed when the server's relation has the attributes, span keys read as ids", () => {
    const landed = landedIn(payload);
    assert.equal(landed({ kind: "updateRelation", key: "c:r", attrs: { cue: "c:t" } }), true);
    assert.equal(landed({ kind: "updateRelation", key: "c:r", attrs: {} }), false);
    assert.equal(landed({ kind: "updateRelation", key: "c:gone", attrs: {} }), false);
  });

  test("it is sent as a PATCH with span ids, and undone when the server refuses it", async () => {
    const store = new Store(cueSchema);
    store.load(payload);
    const sent = [];
    const request = async (method, path, body) => {
      sent.push({ method, path, body });
      return { status: 400, body: { errors: [{ field: "attrs.cue", code: "invalid_label", message: "no" }] } };
    };
    const sync = new Sync({
      store,
      schema: cueSchema,
      annotation: payload,
      text,
      index: new OffsetIndex(text),
      storage: memory(),
      session: memory(),
      request,
    });
    const before = store.updateRelation("c:r", { cue: "c:q" });
    assert.deepEqual(before, { cue: "c:t" });
    sync.push({ kind: "updateRelation", key: "c:r", label: "attributed_to", attrs: { cue: "c:q" }, before });
    await new Promise((resolve) => sync.queue.addEventListener("idle", resolve, { once: true }));
    assert.deepEqual(sent, [
      { method: "PATCH", path: "annotations/7/relations/9/", body: { version: 5, attrs: { cue: 3 } } },
    ]);
    assert.deepEqual(store.relation("c:r").attrs, { cue: "c:t" }, "put back as the server has it");
  });
});
