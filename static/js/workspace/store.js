// The annotation as the page knows it: spans, relations, the selected span. Changes are applied
// here at once (optimistically) and saved by the save queue; the server's answers fill in ids.
//
// Spans and relations are known by a key that never changes: "c:<client_id>" for those created
// in a browser (the client_id is a UUID sent with the create, so the key survives a reload),
// "id:<id>" for the others (imported, accepted from elsewhere). Relations point at span keys;
// relation attributes that reference spans (attributed_to's `cue`) hold span keys too.
//
// Every change dispatches one "change" event whose detail says what changed:
//   {type: "reset"} | {type: "span-added"|"span-updated"|"span-removed"|"span-acked", key, span}
//   {type: "relation-added"|"relation-updated"|"relation-removed"|"relation-acked", key, relation}
//   {type: "select", key, previous} | {type: "status", status}
//   {type: "batch-start"} … {type: "batch-end"} around many changes at once (see `batch`)

import { compareSpans, insertionIndex } from "../lanes.js";
import { spanRefNames } from "../schema.js";

export function itemKey(item) {
  return item.client_id ? `c:${item.client_id}` : `id:${item.id}`;
}

/** A span of the server's payload as the page keeps it. */
function spanFromPayload(s) {
  return {
    key: itemKey(s),
    id: s.id,
    client_id: s.client_id || null,
    label: s.label,
    start: s.start,
    end: s.end,
    text: s.text,
    attrs: { ...(s.attrs || {}) },
    origin: s.origin,
  };
}

export class Store extends EventTarget {
  #schema;
  #spans = new Map();
  #relations = new Map();
  #sorted = [];
  #keyById = new Map();
  #idByKey = new Map(); // kept after a local removal: a queued delete still needs the id
  #selected = null;
  status = "draft";

  constructor(schema) {
    super();
    this.#schema = schema;
  }

  get schema() {
    return this.#schema;
  }

  /** Spans in text order (start, then longer first). Do not modify the array. */
  get sorted() {
    return this.#sorted;
  }

  get relations() {
    return [...this.#relations.values()];
  }

  get selected() {
    return this.#selected;
  }

  get editable() {
    return this.status === "draft";
  }

  span(key) {
    return this.#spans.get(key) || null;
  }

  relation(key) {
    return this.#relations.get(key) || null;
  }

  /** The server id of a span or relation, or null while its create is not acknowledged. */
  idOf(key) {
    if (this.#idByKey.has(key)) return this.#idByKey.get(key);
    return key.startsWith("id:") ? Number(key.slice(3)) : null;
  }

  keyOfSpanId(id) {
    return this.#keyById.get(id) ?? `id:${id}`;
  }

  /** A relation of the payload as the page keeps it: ends and span attributes as span keys. */
  #relationFromPayload(r) {
    const attrs = { ...(r.attrs || {}) };
    for (const name of spanRefNames(this.#schema, r.label)) {
      if (attrs[name] !== undefined && attrs[name] !== null) attrs[name] = this.keyOfSpanId(attrs[name]);
    }
    return {
      key: itemKey(r),
      id: r.id,
      client_id: r.client_id || null,
      label: r.label,
      from: this.keyOfSpanId(r.from),
      to: this.keyOfSpanId(r.to),
      attrs,
    };
  }

  #emit(detail) {
    this.dispatchEvent(new CustomEvent("change", { detail }));
  }

  /** True while `batch` runs: the page skips its per-item drawing and redraws once after. */
  batching = false;

  /**
   * Run `fn`, whose changes (a thousand accepted suggestions) still dispatch one event each,
   * between {type: "batch-start"} and {type: "batch-end"}; returns what `fn` returns. Drawing
   * each of them on its own would take the page seconds; listeners see `batching` and draw
   * everything once at the end.
   */
  batch(fn) {
    if (this.batching) return fn();
    this.batching = true;
    this.#emit({ type: "batch-start" });
    try {
      return fn();
    } finally {
      this.batching = false;
      this.#emit({ type: "batch-end" });
    }
  }

  /** Replace everything with the server's annotation payload (GET …/annotation/). */
  load(annotation) {
    this.#spans.clear();
    this.#relations.clear();
    this.#keyById.clear();
    this.#idByKey.clear();
    this.status = annotation.status;
    for (const s of annotation.spans) {
      const span = spanFromPayload(s);
      this.#spans.set(span.key, span);
      this.#keyById.set(s.id, span.key);
      this.#idByKey.set(span.key, s.id);
    }
    for (const r of annotation.relations) {
      const relation = this.#relationFromPayload(r);
      this.#relations.set(relation.key, relation);
      this.#idByKey.set(relation.key, r.id);
    }
    this.#sorted = [...this.#spans.values()].sort(compareSpans);
    this.#selected = null;
    this.#emit({ type: "reset" });
  }

  setStatus(status) {
    this.status = status;
    this.#emit({ type: "status", status });
  }

  /** Exactly this label on exactly these offsets already? */
  findSame(label, start, end) {
    for (const span of this.#spans.values()) {
      if (span.label === label && span.start === start && span.end === end) return span;
    }
    return null;
  }

  addSpan({ client_id, label, start, end, text, attrs = {} }) {
    const span = { key: `c:${client_id}`, id: null, client_id, label, start, end, text, attrs: { ...attrs } };
    this.#insert(span);
    this.#emit({ type: "span-added", key: span.key, span });
    return span;
  }

  #insert(span) {
    this.#spans.set(span.key, span);
    if (span.id !== null && span.id !== undefined) this.#keyById.set(span.id, span.key);
    this.#sorted.splice(insertionIndex(this.#sorted, span), 0, span);
  }

  /** Add a span the server already holds (an accepted suggestion), in its payload form. */
  addSaved(s) {
    const key = itemKey(s);
    if (this.#spans.has(key)) return this.#spans.get(key);
    const span = spanFromPayload(s);
    this.#insert(span);
    this.#idByKey.set(key, s.id);
    this.#emit({ type: "span-added", key, span });
    return span;
  }

  /** Add a relation the server already holds (payload form: ends and span attributes are ids). */
  addSavedRelation(r) {
    const key = itemKey(r);
    if (this.#relations.has(key)) return this.#relations.get(key);
    const relation = this.#relationFromPayload(r);
    this.#relations.set(key, relation);
    this.#idByKey.set(key, r.id);
    this.#emit({ type: "relation-added", key, relation });
    return relation;
  }

  /** Change label, attrs and/or boundaries (start, end and text together); returns what they
   * were before (the event carries it too, for undo). */
  updateSpan(key, changes) {
    const span = this.#spans.get(key);
    if (!span) return null;
    const before = { label: span.label, attrs: { ...span.attrs } };
    const moved = changes.start !== undefined || changes.end !== undefined;
    if (moved) Object.assign(before, { start: span.start, end: span.end, text: span.text });
    if (changes.label !== undefined) span.label = changes.label;
    if (changes.attrs !== undefined) span.attrs = { ...changes.attrs };
    if (moved) {
      const at = this.#sorted.indexOf(span);
      if (at !== -1) this.#sorted.splice(at, 1);
      if (changes.start !== undefined) span.start = changes.start;
      if (changes.end !== undefined) span.end = changes.end;
      if (changes.text !== undefined) span.text = changes.text;
      this.#sorted.splice(insertionIndex(this.#sorted, span), 0, span);
    }
    this.#emit({ type: "span-updated", key, span, before });
    return before;
  }

  /** Remove a span and the relations touching it; returns them for undoing. */
  removeSpan(key) {
    const span = this.#spans.get(key);
    if (!span) return null;
    const relations = this.relationsOf(key);
    // As the server does: a relation attribute naming the span (attributed_to's cue) goes.
    for (const other of this.#relations.values()) {
      if (relations.includes(other)) continue;
      const names = spanRefNames(this.#schema, other.label).filter((name) => other.attrs[name] === key);
      if (!names.length) continue;
      const attrs = { ...other.attrs };
      for (const name of names) delete attrs[name];
      this.updateRelation(other.key, attrs);
    }
    for (const relation of relations) this.removeRelation(relation.key);
    if (this.#selected === key) this.select(null);
    this.#spans.delete(key);
    const at = this.#sorted.indexOf(span);
    if (at !== -1) this.#sorted.splice(at, 1);
    this.#emit({ type: "span-removed", key, span });
    return { span: { ...span, attrs: { ...span.attrs } }, relations: relations.map((r) => ({ ...r })) };
  }

  /** Put back what removeSpan returned (a delete the server refused). */
  restoreSpan({ span, relations = [] }) {
    if (this.#spans.has(span.key)) return;
    const copy = { ...span, attrs: { ...span.attrs } };
    this.#insert(copy);
    this.#emit({ type: "span-added", key: copy.key, span: copy });
    for (const relation of relations) this.restoreRelation(relation);
  }

  ackSpan(key, server) {
    this.#idByKey.set(key, server.id);
    this.#keyById.set(server.id, key);
    const span = this.#spans.get(key);
    if (!span) return;
    span.id = server.id;
    this.#emit({ type: "span-acked", key, span });
  }

  relationsOf(spanKey) {
    return [...this.#relations.values()].filter((r) => r.from === spanKey || r.to === spanKey);
  }

  findRelation(label, from, to) {
    for (const r of this.#relations.values()) {
      if (r.label === label && r.from === from && r.to === to) return r;
    }
    return null;
  }

  addRelation({ client_id, label, from, to, attrs = {} }) {
    const relation = { key: `c:${client_id}`, id: null, client_id, label, from, to, attrs: { ...attrs } };
    this.#relations.set(relation.key, relation);
    this.#emit({ type: "relation-added", key: relation.key, relation });
    return relation;
  }

  /** Replace a relation's attributes; returns what they were before. */
  updateRelation(key, attrs) {
    const relation = this.#relations.get(key);
    if (!relation) return null;
    const before = { ...relation.attrs };
    relation.attrs = { ...attrs };
    this.#emit({ type: "relation-updated", key, relation, before });
    return before;
  }

  removeRelation(key) {
    const relation = this.#relations.get(key);
    if (!relation) return null;
    this.#relations.delete(key);
    this.#emit({ type: "relation-removed", key, relation });
    return { ...relation };
  }

  restoreRelation(relation) {
    if (this.#relations.has(relation.key)) return;
    if (!this.#spans.has(relation.from) || !this.#spans.has(relation.to)) return;
    const copy = { ...relation, attrs: { ...relation.attrs } };
    this.#relations.set(copy.key, copy);
    this.#emit({ type: "relation-added", key: copy.key, relation: copy });
  }

  ackRelation(key, server) {
    this.#idByKey.set(key, server.id);
    const relation = this.#relations.get(key);
    if (!relation) return;
    relation.id = server.id;
    this.#emit({ type: "relation-acked", key, relation });
  }

  select(key) {
    const previous = this.#selected;
    const next = key && this.#spans.has(key) ? key : null;
    if (previous === next) return;
    this.#selected = next;
    this.#emit({ type: "select", key: next, previous });
  }

  /** The span `step` places after (or before, negative) `key` in text order; wraps at ends
   * only when `wrap`. From nothing selected, +1 is the first span and -1 the last. */
  neighbour(key, step, { wrap = false } = {}) {
    const list = this.#sorted;
    if (list.length === 0) return null;
    const span = key ? this.#spans.get(key) : null;
    let at = span ? list.indexOf(span) : step > 0 ? -1 : list.length;
    at += step;
    if (at < 0 || at >= list.length) {
      if (!wrap) return null;
      at = (at + list.length) % list.length;
    }
    return list[at].key;
  }

  /** Spans covering code point `offset`, innermost (shortest) first. */
  spansAt(offset) {
    const found = [];
    for (const span of this.#sorted) {
      if (span.start > offset) break;
      if (span.end > offset) found.push(span);
    }
    return found.sort((a, b) => a.end - a.start - (b.end - b.start) || compareSpans(a, b));
  }
}
