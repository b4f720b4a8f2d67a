import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { OffsetIndex } from "../../offsets.js";
import { PendingStorage } from "../../workspace/savequeue.js";
import { Store } from "../../workspace/store.js";
import { Sync, landedIn, refersTo, replayMessage } from "../../workspace/sync.js";
import { memoryStorage } from "./storage.mjs";

const schema = {
  span_labels: [{ name: "Quote" }, { name: "Source" }],
  relations: [{ name: "attributed_to", from: ["Quote"], to: ["Source"], attributes: [] }],
};
const text = "Putin told Macron it was “unacceptable”.";

const annotation = (version, spans = [], relations = []) => ({ id: 7, status: "draft", version, spans, relations });
const putin = { id: 1, client_id: "p", label: "Source", start: 0, end: 5, text: "Putin", attrs: {} };
const createMacron = { kind: "createSpan", key: "c:m", client_id: "m", label: "Source", start: 11, end: 17, text: "Macron", attrs: {} };

/** A page that loads `payload`, in a tab whose previous page left `ops` based on `version`. */
function reload(payload, version, ops) {
  const storage = memoryStorage();
  const session = memoryStorage();
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
      storage: memoryStorage(),
      session: memoryStorage(),
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

describe("the analyst's edits change the store at once and queue their operation", () => {
  const editSchema = {
    span_labels: [
      { name: "Quote", attributes: [{ name: "quote_type", type: "choice", choices: ["direct"] }, { name: "note", type: "text" }] },
      { name: "Claim", attributes: [{ name: "note", type: "text" }] },
      { name: "Source", attributes: [] },
    ],
    relations: [{ name: "attributed_to", from: ["Quote"], to: ["Source"], attributes: [{ name: "cue", type: "span" }] }],
  };

  /** A page on an empty draft whose server never answers: the first operation stays in flight. */
  function page() {
    const store = new Store(editSchema);
    const payload = annotation(1);
    store.load(payload);
    const request = () => new Promise(() => {});
    const sync = new Sync({ store, schema: editSchema, annotation: payload, text, index: new OffsetIndex(text), storage: memoryStorage(), session: memoryStorage(), request });
    const kinds = () => sync.queue.pending.map((op) => `${op.kind} ${op.key}`);
    return { store, sync, kinds };
  }

  test("createSpan marks the span under a fresh client id", () => {
    const { store, sync } = page();
    const span = sync.createSpan("Source", { start: 0, end: 5, text: "Putin" });
    assert.equal(store.span(span.key), span);
    assert.equal(span.key, `c:${span.client_id}`);
    assert.deepEqual(sync.queue.pending, [
      { kind: "createSpan", key: span.key, client_id: span.client_id, label: "Source", start: 0, end: 5, text: "Putin", attrs: {} },
    ]);
  });

  test("setAttribute sets and clears a value, and queues nothing when nothing changes", () => {
    const { store, sync } = page();
    const span = sync.createSpan("Quote", { start: 26, end: 38, text: "unacceptable" });
    sync.setAttribute(span.key, "quote_type", "direct");
    sync.setAttribute(span.key, "quote_type", "direct");
    sync.setAttribute(span.key, "note", "");
    assert.deepEqual(store.span(span.key).attrs, { quote_type: "direct" });
    sync.setAttribute(span.key, "quote_type", null);
    assert.deepEqual(store.span(span.key).attrs, {});
    const updates = sync.queue.pending.filter((op) => op.kind === "updateSpan");
    assert.deepEqual(updates.map((op) => [op.changes, op.before]), [
      [{ attrs: { quote_type: "direct" } }, { label: "Quote", attrs: {} }],
      [{ attrs: {} }, { label: "Quote", attrs: { quote_type: "direct" } }],
    ]);
    sync.setAttribute("c:nope", "note", "x");
    assert.equal(sync.queue.size, 3);
  });

  test("setLabel keeps the attributes the new label has", () => {
    const { store, sync } = page();
    const span = sync.createSpan("Quote", { start: 26, end: 38, text: "unacceptable" });
    sync.setAttribute(span.key, "quote_type", "direct");
    sync.setAttribute(span.key, "note", "loud");
    sync.setLabel(span.key, "Claim");
    sync.setLabel(span.key, "Claim"); // the same label: nothing to do
    assert.equal(store.span(span.key).label, "Claim");
    assert.deepEqual(store.span(span.key).attrs, { note: "loud" });
    const last = sync.queue.pending.at(-1);
    assert.deepEqual(last.changes, { label: "Claim", attrs: { note: "loud" } });
    assert.equal(sync.queue.size, 4);
  });

  test("deleting what was never sent only takes it off the queue; what was sent is deleted", () => {
    const { store, sync, kinds } = page();
    const sent = sync.createSpan("Source", { start: 0, end: 5, text: "Putin" }); // in flight
    const unsent = sync.createSpan("Source", { start: 11, end: 17, text: "Macron" });
    sync.deleteSpan(unsent.key);
    assert.equal(store.span(unsent.key), null);
    assert.deepEqual(kinds(), [`createSpan ${sent.key}`]);
    sync.deleteSpan(sent.key);
    assert.equal(store.span(sent.key), null);
    assert.deepEqual(kinds(), [`createSpan ${sent.key}`, `deleteSpan ${sent.key}`]);
    assert.equal(sync.queue.pending[1].snapshot.span.text, "Putin");
  });

  test("relations: create, change, and delete the same way", () => {
    const { store, sync, kinds } = page();
    const quote = sync.createSpan("Quote", { start: 26, end: 38, text: "unacceptable" });
    const source = sync.createSpan("Source", { start: 0, end: 5, text: "Putin" });
    const relation = sync.createRelation(quote.key, source.key, "attributed_to", {});
    assert.equal(store.relation(relation.key), relation);
    sync.updateRelation(relation.key, { cue: source.key });
    assert.deepEqual(store.relation(relation.key).attrs, { cue: source.key });
    assert.deepEqual(sync.queue.pending.at(-1), {
      kind: "updateRelation",
      key: relation.key,
      label: "attributed_to",
      attrs: { cue: source.key },
      before: {},
    });
    sync.updateRelation("c:nope", {});
    sync.deleteRelation(relation.key); // never sent: its create and its update go
    assert.equal(store.relation(relation.key), null);
    assert.deepEqual(kinds(), [`createSpan ${quote.key}`, `createSpan ${source.key}`]);
  });
});

test("replayMessage says what came back after a reload", () => {
  assert.equal(replayMessage({ applied: 0, dropped: 0 }), "");
  assert.equal(replayMessage({ applied: 1, dropped: 0 }), "1 unsaved change from before the reload was re-applied and is being saved.");
  assert.equal(
    replayMessage({ applied: 2, dropped: 1 }),
    "2 unsaved changes from before the reload were re-applied and are being saved; 1 earlier change no longer fits (the span is gone) and was left out.",
  );
  assert.equal(replayMessage({ applied: 0, dropped: 3 }), "3 earlier changes no longer fit (the span is gone) and were left out.");
});
