import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { OffsetIndex } from "../../offsets.js";
import { Store } from "../../workspace/store.js";
import { Sync } from "../../workspace/sync.js";
import { UNDO_LIMIT, changeRecord, describeChanges, inverseCommands } from "../../workspace/undo.js";
import { memoryStorage } from "./storage.mjs";

const schema = {
  span_labels: [
    { name: "Quote", attributes: [{ name: "quote_type", type: "choice", choices: ["direct", "indirect"] }] },
    { name: "Source", attributes: [] },
    { name: "Cue", attributes: [] },
    { name: "Claim", attributes: [] },
  ],
  relations: [
    { name: "attributed_to", from: ["Quote"], to: ["Source"], attributes: [{ name: "cue", type: "span", labels: ["Cue"] }] },
  ],
};
const text = "Putin told Macron it was “unacceptable”.";
const putin = { id: 1, client_id: null, label: "Source", start: 0, end: 5, text: "Putin", attrs: {} };
const told = { id: 2, client_id: null, label: "Cue", start: 6, end: 10, text: "told", attrs: {} };
const quote = { id: 3, client_id: null, label: "Quote", start: 25, end: 39, text: "“unacceptable”", attrs: { quote_type: "direct" } };
const link = { id: 9, client_id: null, label: "attributed_to", from: 3, to: 1, attrs: { cue: 2 } };

/**
 * A page on a draft holding `spans` and `relations`, with a server that accepts every change
 * (new ids from 100 up) and remembers what it was sent.
 */
function page({ spans = [putin, told, quote], relations = [link] } = {}) {
  const store = new Store(schema);
  const payload = { id: 7, status: "draft", version: 1, spans, relations };
  store.load(payload);
  const sent = [];
  let nextId = 100;
  let version = 1;
  const request = async (method, path, body) => {
    sent.push({ method, path, body });
    version += 1;
    if (method === "POST" && path.endsWith("spans/")) return { status: 201, body: { version, span: { ...body, id: nextId++ } } };
    if (method === "POST" && path.endsWith("relations/")) return { status: 201, body: { version, relation: { ...body, id: nextId++ } } };
    return { status: 200, body: { version } };
  };
  const sync = new Sync({ store, schema, annotation: payload, text, index: new OffsetIndex(text), storage: memoryStorage(), session: memoryStorage(), request });
  const saved = () => sync.queue.whenSaved();
  const calls = () => sent.splice(0).map((c) => `${c.method} ${c.path.replace("annotations/7/", "")}`);
  return { store, sync, history: sync.history, saved, sent, calls };
}

describe("undoing a delete", () => {
  test("brings back the span, its relation and the cue that named it, as new saved items", async () => {
    const { store, sync, history, saved, sent, calls } = page();
    sync.deleteSpan("id:3"); // the quote, with its link
    sync.deleteSpan("id:2"); // the cue
    await saved();
    assert.deepEqual(calls(), ["DELETE spans/3/", "DELETE spans/2/"]);
    assert.equal(store.relations.length, 0);

    const cueBack = history.undo();
    assert.equal(cueBack.done, true);
    assert.equal(cueBack.what, "deleting Cue “told”");
    const quoteBack = history.undo();
    assert.equal(quoteBack.what, "deleting Quote ““unacceptable””");
    await saved();
    const quoteKey = history.resolve("id:3");
    const cueKey = history.resolve("id:2");
    assert.notEqual(quoteKey, "id:3");
    assert.deepEqual(store.span(quoteKey).attrs, { quote_type: "direct" }, "with its attributes");
    assert.equal(quoteBack.key, quoteKey, "the restored span is the one to show");
    const [relation] = store.relations;
    assert.deepEqual([relation.from, relation.to, relation.attrs], [quoteKey, "id:1", { cue: cueKey }]);
    assert.deepEqual(sent.map((c) => `${c.method} ${c.path.replace("annotations/7/", "")}`), ["POST spans/", "POST spans/", "POST relations/"]);
    assert.deepEqual(sent.at(-1).body.attrs, { cue: 100 }, "the cue as the restored Cue's new id (undone first)");
  });

  test("redo deletes it again, then undo brings it back once more", async () => {
    const { store, history, sync, saved, sent, calls } = page();
    sync.deleteSpan("id:3");
    history.undo();
    await saved();
    assert.deepEqual(sent.map((c) => c.body.via), [undefined, "undo", "undo"], "an undo is marked for the history");
    calls();
    assert.equal(history.canRedo, true);
    assert.equal(history.redo().what, "deleting Quote ““unacceptable””");
    await saved();
    assert.deepEqual(sent.map((c) => c.body.via), ["redo"]);
    assert.deepEqual(calls(), ["DELETE spans/100/"]);
    assert.equal(store.sorted.length, 2);
    history.undo();
    await saved();
    assert.equal(store.sorted.length, 3);
    assert.equal(store.relations.length, 1);
    assert.equal(store.relations[0].from, history.resolve("id:3"));
  });
});

describe("every kind of action is undone and redone through the save queue", () => {
  test("marking a span: undo deletes it, redo marks it again", async () => {
    const { store, sync, history, saved, calls } = page({ spans: [], relations: [] });
    const span = sync.createSpan("Source", { start: 11, end: 17, text: "Macron" });
    await saved();
    calls();
    assert.equal(history.undo().what, "marking Source “Macron”");
    assert.equal(store.span(span.key), null);
    history.redo();
    await saved();
    assert.deepEqual(calls(), ["DELETE spans/100/", "POST spans/"]);
    assert.equal(store.findSame("Source", 11, 17).key, history.resolve(span.key));
  });

  test("a create undone before it was sent is only taken off the queue", () => {
    const { store, sync, history } = page({ spans: [], relations: [] });
    // The first operation goes out at once; the second one waits behind it.
    sync.createSpan("Source", { start: 0, end: 5, text: "Putin" });
    const second = sync.createSpan("Source", { start: 11, end: 17, text: "Macron" });
    history.undo();
    assert.equal(store.span(second.key), null);
    assert.deepEqual(sync.queue.pending.map((op) => op.kind), ["createSpan"]);
  });

  test("an attribute change and a relabel are put back as they were", async () => {
    const { store, sync, history, saved, sent } = page();
    sync.setAttribute("id:3", "quote_type", "indirect");
    sync.setLabel("id:1", "Claim");
    assert.equal(history.undo().what, "relabelling Source “Putin” as Claim");
    assert.equal(store.span("id:1").label, "Source");
    assert.equal(history.undo().what, "quote_type of Quote ““unacceptable””");
    assert.deepEqual(store.span("id:3").attrs, { quote_type: "direct" });
    await saved();
    assert.deepEqual(
      sent.map((c) => [c.method, c.path, c.body.label ?? null, c.body.attrs]),
      [
        ["PATCH", "annotations/7/spans/3/", null, { quote_type: "indirect" }],
        ["PATCH", "annotations/7/spans/1/", "Claim", {}],
        ["PATCH", "annotations/7/spans/1/", "Source", undefined], // only what the action changed
        ["PATCH", "annotations/7/spans/3/", null, { quote_type: "direct" }],
      ],
    );
    history.redo();
    assert.deepEqual(store.span("id:3").attrs, { quote_type: "indirect" });
  });

  test("moved boundaries move back, text and all, and the span keeps its place in order", () => {
    const { store, sync, history } = page();
    sync.updateSpan("id:1", { start: 11, end: 17, text: "Macron" });
    assert.deepEqual(store.sorted.map((s) => s.text), ["told", "Macron", "“unacceptable”"]);
    assert.equal(history.undo().what, "moving the boundaries of Source “Macron”");
    assert.deepEqual([store.span("id:1").start, store.span("id:1").text], [0, "Putin"]);
    assert.deepEqual(store.sorted.map((s) => s.text), ["Putin", "told", "“unacceptable”"]);
  });

  test("linking, changing the link's cue and unlinking", async () => {
    const { store, sync, history, saved, calls } = page({ spans: [putin, told, quote], relations: [] });
    const relation = sync.createRelation("id:3", "id:1", "attributed_to", {});
    sync.updateRelation(relation.key, { cue: "id:2" });
    sync.deleteRelation(relation.key);
    await saved();
    calls();
    assert.equal(history.undo().what, "deleting the attributed_to link");
    assert.equal(history.undo().what, "the attributes of the attributed_to link");
    await saved();
    const back = store.relation(history.resolve(relation.key));
    assert.deepEqual(back.attrs, {});
    assert.deepEqual(calls(), ["POST relations/", "PATCH relations/101/"]);
    assert.equal(history.undo().what, "the attributed_to link");
    await saved();
    assert.equal(store.relations.length, 0);
    assert.deepEqual(calls(), ["DELETE relations/101/"]);
  });

  test("accepting all suggestions is one action; undoing it deletes the spans in one request, which takes their links along", async () => {
    const { store, sync, history, saved, sent, calls } = page({ spans: [], relations: [] });
    history.record(() => {
      store.addSaved({ ...putin, origin: "suggested" });
      store.addSaved({ ...quote, origin: "suggested" });
      store.addSavedRelation({ ...link, attrs: {} });
    });
    assert.equal(history.size.undo, 1);
    assert.equal(history.undo().what, "accepting 2 suggestions");
    await saved();
    assert.deepEqual(sent.map((c) => c.body.ids), [[3, 1]]);
    assert.equal(sent[0].body.via, "undo");
    assert.deepEqual(calls(), ["POST spans/delete/"]);
    assert.equal(store.sorted.length + store.relations.length, 0);
    history.redo();
    await saved();
    assert.equal(store.sorted.length, 2);
    assert.equal(store.relations.length, 1);
    assert.deepEqual(calls(), ["POST spans/", "POST spans/", "POST relations/"]);
    void sync;
  });
});

describe("undoing an accept-all", () => {
  /** A draft holding `count` accepted Cues, accepted as one action, and a server answering
   * the batch delete with `answer`. */
  function accepted(count, answer) {
    const words = Array.from({ length: count }, (_, i) => `w${i}`);
    const long = words.join(" ");
    const spans = [];
    let at = 0;
    for (const [i, word] of words.entries()) {
      spans.push({ id: i + 1, client_id: null, label: "Cue", start: at, end: at + word.length, text: word, attrs: {}, origin: "suggested" });
      at += word.length + 1;
    }
    const store = new Store(schema);
    const payload = { id: 7, status: "draft", version: 1, spans: [], relations: [] };
    store.load(payload);
    const sent = [];
    const request = async (method, path, body) => {
      sent.push({ method, path, body });
      return answer(body);
    };
    const sync = new Sync({ store, schema, annotation: payload, text: long, index: new OffsetIndex(long), storage: memoryStorage(), session: memoryStorage(), request });
    sync.history.record(() => store.batch(() => spans.forEach((s) => store.addSaved(s))));
    const events = [];
    store.addEventListener("change", (event) => events.push(event.detail.type));
    return { store, sync, sent, events };
  }

  test("many spans leave the page in one redraw and the server in one request", async () => {
    const { store, sync, sent, events } = accepted(60, (body) => ({ status: 200, body: { version: 1 + body.ids.length } }));
    assert.equal(sync.history.undo().what, "accepting 60 suggestions");
    assert.equal(store.sorted.length, 0);
    assert.deepEqual([events[0], events.at(-1), events.filter((t) => t === "span-removed").length], ["batch-start", "batch-end", 60]);
    await sync.queue.whenSaved();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].path, "annotations/7/spans/delete/");
    assert.deepEqual(sent[0].body.ids, Array.from({ length: 60 }, (_, i) => 60 - i));
    assert.equal(sync.queue.version, 61);
  });

  test("refused, the spans come back, but not one the server says is gone", async () => {
    const { store, sync } = accepted(3, () => ({
      status: 400,
      body: { errors: [{ field: "ids.1", code: "not_found", message: "Span 2 is not in this annotation." }] },
    }));
    sync.history.undo();
    assert.equal(store.sorted.length, 0);
    await sync.queue.whenSaved();
    assert.deepEqual(store.sorted.map((s) => s.id), [1, 3]);
  });
});

describe("the stacks", () => {
  test("a new action after an undo forgets the redo", () => {
    const { sync, history } = page();
    sync.setAttribute("id:3", "quote_type", "indirect");
    history.undo();
    assert.equal(history.canRedo, true);
    sync.setLabel("id:1", "Claim");
    assert.equal(history.canRedo, false);
    assert.equal(history.redo(), null);
  });

  test(`only the last ${UNDO_LIMIT} actions are kept`, () => {
    const { sync, history } = page();
    for (let i = 0; i < UNDO_LIMIT + 5; i++) sync.setAttribute("id:3", "quote_type", i % 2 ? "direct" : "indirect");
    assert.equal(history.size.undo, UNDO_LIMIT);
    let undone = 0;
    while (history.undo()) undone += 1;
    assert.equal(undone, UNDO_LIMIT);
  });

  test("an action whose span is gone undoes nothing and says so", () => {
    const { store, sync, history } = page();
    sync.setAttribute("id:3", "quote_type", "indirect");
    store.removeSpan("id:3"); // e.g. the server refused something and took it off the page
    const result = history.undo();
    assert.equal(result.done, false);
    assert.equal(history.canRedo, false);
  });

  test("a change the server refused (and the page put back) is not sent again by its redo", async () => {
    const { store, sync, history, saved, sent } = page();
    sync.setAttribute("id:3", "quote_type", "indirect");
    history.undo();
    await saved();
    store.updateSpan("id:3", { attrs: { quote_type: "indirect" } }); // as the refusal of the undo would
    sent.splice(0);
    history.redo();
    await saved();
    assert.deepEqual(sent, []);
  });

  test("reloading the annotation forgets both stacks", () => {
    const { store, sync, history } = page();
    sync.setAttribute("id:3", "quote_type", "indirect");
    store.load({ id: 7, status: "draft", version: 9, spans: [], relations: [] });
    assert.equal(history.canUndo, false);
  });

  test("selecting, acknowledging and replaying are not actions", () => {
    const { store, history } = page();
    history.record(() => store.select("id:1"));
    assert.equal(history.canUndo, false);
  });
});

describe("pure parts", () => {
  test("changeRecord copies what it keeps, so later edits of the store do not change it", () => {
    const span = { key: "c:a", label: "Quote", start: 0, end: 5, text: "Putin", attrs: { quote_type: "direct" } };
    const record = changeRecord({ type: "span-removed", key: "c:a", span });
    span.attrs.quote_type = "indirect";
    assert.equal(record.span.attrs.quote_type, "direct");
    assert.equal(changeRecord({ type: "select", key: "c:a" }), null);
    assert.equal(changeRecord({ type: "span-acked", key: "c:a", span }), null);
  });

  test("inverseCommands runs backwards", () => {
    const a = { key: "c:a", label: "Quote", start: 0, end: 5, text: "Putin", attrs: {} };
    const commands = inverseCommands([
      { type: "relation-removed", relation: { key: "c:r", label: "x", from: "c:a", to: "c:b", attrs: {} } },
      { type: "span-removed", span: a },
    ]);
    assert.deepEqual(commands.map((c) => c.op), ["createSpan", "createRelation"]);
  });

  test("describeChanges names one or many", () => {
    const span = (text) => ({ type: "span-added", span: { label: "Quote", text } });
    assert.equal(describeChanges([span("a")]), "marking Quote “a”");
    assert.equal(describeChanges([span("a"), span("b")]), "adding 2 spans");
    const accepted = { type: "span-added", span: { label: "Cue", text: "said", origin: "suggested" } };
    assert.equal(describeChanges([accepted]), "accepting Cue “said”");
  });
});
