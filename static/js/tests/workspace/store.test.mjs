import assert from "node:assert/strict";
import { test } from "node:test";

import { Store, itemKey } from "../../workspace/store.js";

const schema = {
  span_labels: [{ name: "Quote" }, { name: "Source" }, { name: "Cue" }],
  relations: [{ name: "attributed_to", from: ["Quote"], to: ["Source"], attributes: [{ name: "cue", type: "span" }] }],
};

function loaded() {
  const store = new Store(schema);
  store.load({
    status: "draft",
    spans: [
      { id: 11, client_id: null, label: "Source", start: 30, end: 41, text: "the Kremlin", attrs: {} },
      { id: 10, client_id: "aaaa", label: "Quote", start: 5, end: 17, text: "unacceptable", attrs: { quote_type: "direct" } },
      { id: 12, client_id: null, label: "Cue", start: 43, end: 47, text: "said", attrs: {} },
    ],
    relations: [{ id: 7, client_id: null, label: "attributed_to", from: 10, to: 11, attrs: { cue: 12 } }],
  });
  return store;
}

function recorder(store) {
  const events = [];
  store.addEventListener("change", (e) => events.push(e.detail.type));
  return events;
}

test("keys: client id when the browser made it, server id otherwise", () => {
  assert.equal(itemKey({ id: 3, client_id: "u-1" }), "c:u-1");
  assert.equal(itemKey({ id: 3, client_id: null }), "id:3");
});

test("load keeps spans in text order and points relations and span attributes at keys", () => {
  const store = loaded();
  assert.deepEqual(store.sorted.map((s) => s.key), ["c:aaaa", "id:11", "id:12"]);
  const [relation] = store.relations;
  assert.equal(relation.from, "c:aaaa");
  assert.equal(relation.to, "id:11");
  assert.equal(relation.attrs.cue, "id:12");
  assert.equal(store.idOf("c:aaaa"), 10);
});

test("adding a span inserts it in order and emits one change", () => {
  const store = loaded();
  const events = recorder(store);
  const span = store.addSpan({ client_id: "bbbb", label: "Cue", start: 18, end: 22, text: "said" });
  assert.equal(span.key, "c:bbbb");
  assert.equal(store.idOf("c:bbbb"), null, "no id before the server answers");
  assert.deepEqual(store.sorted.map((s) => s.start), [5, 18, 30, 43]);
  store.ackSpan("c:bbbb", { id: 99 });
  assert.equal(store.idOf("c:bbbb"), 99);
  assert.deepEqual(events, ["span-added", "span-acked"]);
});

test("removing a span removes its relations and clears the selection; restore puts all back", () => {
  const store = loaded();
  store.select("id:11");
  const events = recorder(store);
  const removed = store.removeSpan("id:11");
  assert.equal(store.relations.length, 0);
  assert.equal(store.selected, null);
  assert.deepEqual(events, ["relation-removed", "select", "span-removed"]);
  store.restoreSpan(removed);
  assert.equal(store.relations.length, 1);
  assert.deepEqual(store.sorted.map((s) => s.key), ["c:aaaa", "id:11", "id:12"]);
});

test("updateSpan returns what it replaced", () => {
  const store = loaded();
  const before = store.updateSpan("c:aaaa", { attrs: { quote_type: "mixed" } });
  assert.deepEqual(before, { label: "Quote", attrs: { quote_type: "direct" } });
  assert.equal(store.span("c:aaaa").attrs.quote_type, "mixed");
});

test("neighbour walks text order, from nothing to the first or the last", () => {
  const store = loaded();
  assert.equal(store.neighbour(null, 1), "c:aaaa");
  assert.equal(store.neighbour(null, -1), "id:12");
  assert.equal(store.neighbour("c:aaaa", 1), "id:11");
  assert.equal(store.neighbour("id:12", 1), null);
  assert.equal(store.neighbour("id:12", 1, { wrap: true }), "c:aaaa");
});

test("spansAt lists the spans covering an offset, innermost first", () => {
  const store = loaded();
  store.addSpan({ client_id: "inner", label: "Cue", start: 7, end: 9, text: "ac" });
  assert.deepEqual(store.spansAt(8).map((s) => s.key), ["c:inner", "c:aaaa"]);
  assert.deepEqual(store.spansAt(17), []);
});

test("findSame spots an exact duplicate", () => {
  const store = loaded();
  assert.equal(store.findSame("Quote", 5, 17).key, "c:aaaa");
  assert.equal(store.findSame("Cue", 5, 17), null);
});

test("a span removed before its create was acknowledged still learns its id", () => {
  const store = loaded();
  store.addSpan({ client_id: "late", label: "Cue", start: 18, end: 22, text: "said" });
  store.removeSpan("c:late");
  store.ackSpan("c:late", { id: 123 });
  assert.equal(store.idOf("c:late"), 123);
  assert.equal(store.idOf("id:11"), 11);
});
