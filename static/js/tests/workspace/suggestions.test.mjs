import assert from "node:assert/strict";
import { test } from "node:test";

import { Store } from "../../workspace/store.js";
import { SuggestionSet, ghostKey, isGhostKey, mergeSorted, parseKey } from "../../workspace/suggestions.js";
import { landedIn } from "../../workspace/sync.js";

const schema = {
  span_labels: [{ name: "Quote" }, { name: "Source" }, { name: "Cue" }],
  relations: [{ name: "attributed_to", from: ["Quote"], to: ["Source"], attributes: [{ name: "cue", type: "span" }] }],
};

const suggestion = (label, start, end, extra = {}) => ({
  key: `${label}:${start}:${end}`,
  label,
  start,
  end,
  text: "x".repeat(end - start),
  attrs: {},
  confidence: 0.8,
  rule: "test",
  source: "builtin",
  ...extra,
});

const payload = {
  spans: [suggestion("Quote", 20, 40), suggestion("Source", 0, 11), suggestion("Cue", 12, 16), suggestion("Quote", 22, 30)],
  relations: [{ label: "attributed_to", from: "Quote:20:40", to: "Source:0:11", attrs: { cue: "Cue:12:16" } }],
};

test("parseKey splits off the offsets and keeps colons in the label", () => {
  assert.deepEqual(parseKey("Quote:18:38"), { label: "Quote", start: 18, end: 38 });
  assert.deepEqual(parseKey("ns:Quote:1:5"), { label: "ns:Quote", start: 1, end: 5 });
});

test("ghost keys never look like span keys", () => {
  assert.equal(ghostKey("Quote:1:5"), "s:Quote:1:5");
  assert.ok(isGhostKey("s:Quote:1:5"));
  assert.ok(!isGhostKey("c:1234"));
  assert.ok(!isGhostKey("id:7"));
});

test("load sorts in text order and leaves out spans the annotation already has", () => {
  const set = new SuggestionSet();
  set.load(payload, (label, start, end) => label === "Cue" && start === 12 && end === 16);
  assert.deepEqual(
    set.sorted.map((g) => g.key),
    ["s:Source:0:11", "s:Quote:20:40", "s:Quote:22:30"],
  );
  assert.ok(set.sorted.every((g) => g.ghost));
  assert.equal(set.get("s:Quote:20:40").suggestion, "Quote:20:40");
});

test("mergeSorted interleaves spans and ghosts in text order without copying when there are no ghosts", () => {
  const spans = [
    { key: "id:1", start: 5, end: 9 },
    { key: "id:2", start: 21, end: 25 },
  ];
  const set = new SuggestionSet();
  set.load(payload);
  assert.deepEqual(
    mergeSorted(spans, set.sorted).map((s) => s.key),
    ["s:Source:0:11", "id:1", "s:Cue:12:16", "s:Quote:20:40", "id:2", "s:Quote:22:30"],
  );
  assert.equal(mergeSorted(spans, []), spans);
});

test("next walks in text order from a ghost or a span, wraps, and skips pending accepts", () => {
  const set = new SuggestionSet();
  set.load(payload);
  assert.equal(set.next(null, 1).key, "s:Source:0:11");
  assert.equal(set.next(null, -1).key, "s:Quote:22:30");
  assert.equal(set.next(set.get("s:Source:0:11"), 1).key, "s:Cue:12:16");
  assert.equal(set.next(set.get("s:Quote:22:30"), 1).key, "s:Source:0:11"); // wraps
  assert.equal(set.next(set.get("s:Source:0:11"), -1).key, "s:Quote:22:30");
  assert.equal(set.next({ key: "c:x", start: 17, end: 18 }, 1).key, "s:Quote:20:40"); // from a span
  set.pending.add("s:Cue:12:16");
  assert.equal(set.next(set.get("s:Source:0:11"), 1).key, "s:Quote:20:40");
  for (const g of set.sorted) set.pending.add(g.key);
  assert.equal(set.next(null, 1), null);
});

test("at lists the ghosts covering an offset, innermost first", () => {
  const set = new SuggestionSet();
  set.load(payload);
  assert.deepEqual(
    set.at(25).map((g) => g.key),
    ["s:Quote:22:30", "s:Quote:20:40"],
  );
  assert.deepEqual(set.at(11), []); // half-open
});

test("remove and restore keep the order; rejecting an end drops its relations", () => {
  const set = new SuggestionSet();
  set.load(payload);
  const ghost = set.remove("s:Cue:12:16");
  assert.equal(set.size, 3);
  assert.equal(set.remove("s:Cue:12:16"), null);
  set.restore(ghost);
  assert.deepEqual(
    set.sorted.map((g) => g.key),
    ["s:Source:0:11", "s:Cue:12:16", "s:Quote:20:40", "s:Quote:22:30"],
  );
  set.dropRelationsOf("Source:0:11");
  assert.deepEqual(set.relations, []);
});

test("a relation is ready once both its ends are spans", () => {
  const set = new SuggestionSet();
  set.load(payload);
  const have = new Map([["Quote:20:40", "c:q"]]);
  const keyOf = (k) => have.get(k) || null;
  assert.deepEqual(set.relationsWithEnds(keyOf).map(({ from, to }) => [from, to]), [["c:q", null]]);
  have.set("Source:0:11", "id:9");
  assert.deepEqual(set.relationsWithEnds(keyOf).map(({ from, to }) => [from, to]), [["c:q", "id:9"]]);
});

test("the store takes accepted spans and relations in the server's form", () => {
  const store = new Store(schema);
  store.load({ status: "draft", spans: [{ id: 1, client_id: null, label: "Cue", start: 12, end: 16, text: "said", attrs: {} }], relations: [] });
  const events = [];
  store.addEventListener("change", (e) => events.push(e.detail.type));
  const quote = store.addSaved({ id: 5, client_id: "abc", label: "Quote", start: 20, end: 40, text: "q", attrs: {}, origin: "suggested" });
  const source = store.addSaved({ id: 6, client_id: null, label: "Source", start: 0, end: 11, text: "s", attrs: {}, origin: "suggested" });
  assert.equal(quote.key, "c:abc");
  assert.equal(source.key, "id:6");
  assert.equal(store.idOf("c:abc"), 5);
  assert.deepEqual(store.sorted.map((s) => s.key), ["id:6", "id:1", "c:abc"]);
  assert.equal(store.addSaved({ id: 5, client_id: "abc", label: "Quote", start: 20, end: 40, text: "q" }), quote); // no double
  const relation = store.addSavedRelation({ id: 3, client_id: null, label: "attributed_to", from: 5, to: 6, attrs: { cue: 1 } });
  assert.deepEqual([relation.from, relation.to, relation.attrs.cue], ["c:abc", "id:6", "id:1"]);
  assert.deepEqual(events, ["span-added", "span-added", "relation-added"]);
});

test("an accepted suggestion counts as landed when the server holds its client id", () => {
  const op = { kind: "acceptSuggestion", key: "c:abc", client_id: "abc", suggestion: "Quote:20:40" };
  assert.ok(landedIn({ spans: [{ id: 5, client_id: "abc" }], relations: [] })(op));
  assert.ok(!landedIn({ spans: [{ id: 5, client_id: "other" }], relations: [] })(op));
});

test("groupOf gives the suggested relation naming a suggestion, as an end or as its cue, with its parts", () => {
  const set = new SuggestionSet();
  set.load(payload);
  const parts = [ghostKey("Quote:20:40"), ghostKey("Source:0:11"), ghostKey("Cue:12:16")];
  for (const key of parts) {
    const group = set.groupOf(key);
    assert.equal(group.relation.label, "attributed_to");
    assert.deepEqual(group.parts, parts);
  }
  assert.equal(set.groupOf(ghostKey("Quote:22:30")), null); // named by no relation
  // An end that is a span already is not a part any more; the others still are.
  set.remove(ghostKey("Source:0:11"));
  assert.deepEqual(set.groupOf(ghostKey("Cue:12:16")).parts, [ghostKey("Quote:20:40"), ghostKey("Cue:12:16")]);
});

test("groupOf prefers the surer relation when several name a suggestion", () => {
  const set = new SuggestionSet();
  set.load({
    spans: payload.spans,
    relations: [
      { label: "attributed_to", from: "Quote:22:30", to: "Source:0:11", attrs: {}, confidence: 0.4 },
      { label: "attributed_to", from: "Quote:20:40", to: "Source:0:11", attrs: { cue: "Cue:12:16" }, confidence: 0.9 },
    ],
  });
  assert.equal(set.groupOf(ghostKey("Source:0:11")).relation.from, "Quote:20:40");
});

test("a batch of store changes is announced once around them, still one event each inside", () => {
  const store = new Store(schema);
  store.load({ status: "draft", spans: [], relations: [] });
  const seen = [];
  store.addEventListener("change", (event) => seen.push([event.detail.type, store.batching]));
  const result = store.batch(() => {
    store.addSaved({ id: 1, label: "Quote", start: 0, end: 4, text: "abcd", attrs: {} });
    store.addSaved({ id: 2, label: "Cue", start: 5, end: 6, text: "e", attrs: {} });
    return "done";
  });
  assert.equal(result, "done");
  assert.deepEqual(seen, [
    ["batch-start", true],
    ["span-added", true],
    ["span-added", true],
    ["batch-end", false],
  ]);
  assert.equal(store.sorted.length, 2);
});

test("relationsNaming finds the suggested relations naming a suggestion as an end or a span attribute, and follows a new list", () => {
  const set = new SuggestionSet();
  set.load({
    spans: payload.spans,
    relations: [
      ...payload.relations,
      { label: "attributed_to", from: "Quote:22:30", to: "Source:0:11", attrs: { cue: "Cue:12:16", note: 3 } },
    ],
  });
  assert.deepEqual(set.relationsNaming("Source:0:11"), [0, 1]);
  assert.deepEqual(set.relationsNaming("Cue:12:16"), [0, 1]);
  assert.deepEqual(set.relationsNaming("Quote:22:30"), [1]);
  assert.deepEqual(set.relationsNaming("Quote:1:2"), []);
  set.dropRelationsOf("Quote:20:40"); // a new list: the old indices no longer hold
  assert.deepEqual(set.relationsNaming("Source:0:11"), [0]);
  assert.deepEqual(set.relationsNaming("Quote:22:30"), [0]);
});
