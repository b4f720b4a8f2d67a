// Undo and redo of the analyst's actions in the workspace: the last UNDO_LIMIT actions of the
// session. An action is whatever one command changed in the store — marking a span, deleting
// one (with its relations, and the cue attributes that named it), relabelling, moving its
// boundaries, setting an attribute, linking, accepting one suggestion or all of them — recorded
// from the store's change events while the command runs (`record`).
//
// Undoing applies the inverse changes through the same edits as the analyst's own (sync.js), so
// an undo is queued, sent with the annotation's version, refused on a conflict like any other
// change, and shows in the annotation's history. A span brought back by an undo is a new span
// on the server (new id, new client id): `alias` remembers which key stands for which, so older
// actions on the stack still find it. Redo is the undo of an undo, recorded the same way.
//
// No DOM and no network: the store and the edits are passed in, so node --test covers it.

import { quoted } from "../format.js";
import { spanRefNames } from "../schema.js";

export const UNDO_LIMIT = 100;

const copySpan = (s) => ({ key: s.key, label: s.label, start: s.start, end: s.end, text: s.text, attrs: { ...s.attrs }, origin: s.origin });
const copyRelation = (r) => ({ key: r.key, label: r.label, from: r.from, to: r.to, attrs: { ...r.attrs } });

/** A store change (an event's detail) as a record undo keeps, or null for one it ignores
 * (selection, acknowledgements, status, a reload). */
export function changeRecord(detail) {
  switch (detail.type) {
    case "span-added":
    case "span-removed":
      return { type: detail.type, span: copySpan(detail.span) };
    case "span-updated": {
      if (!detail.before) return null;
      const after = Object.fromEntries(Object.keys(detail.before).map((name) => [name, detail.span[name]]));
      after.attrs = { ...detail.span.attrs };
      return { type: detail.type, key: detail.key, label: detail.span.label, text: detail.span.text, before: structuredClone(detail.before), after };
    }
    case "relation-added":
    case "relation-removed":
      return { type: detail.type, relation: copyRelation(detail.relation) };
    case "relation-updated":
      if (!detail.before) return null;
      return { type: detail.type, key: detail.key, label: detail.relation.label, before: { ...detail.before }, after: { ...detail.relation.attrs } };
    default:
      return null;
  }
}

/**
 * The commands that undo `changes` (records in the order they happened), the last change's
 * first. A relation added together with one of its spans is not deleted on its own: deleting
 * the span takes it along (so undoing "accept all" deletes its spans, in one request: Sync's
 * deleteSpans).
 */
export function inverseCommands(changes) {
  const added = new Set(changes.filter((c) => c.type === "span-added").map((c) => c.span.key));
  const commands = [];
  for (const c of [...changes].reverse()) {
    switch (c.type) {
      case "span-added":
        commands.push({ op: "deleteSpan", key: c.span.key });
        break;
      case "span-removed":
        commands.push({ op: "createSpan", span: c.span });
        break;
      case "span-updated": {
        // Only what the action changed: an attribute's undo does not send the label too.
        const changed = Object.keys(c.before).filter((name) => JSON.stringify(c.before[name]) !== JSON.stringify(c.after[name]));
        if (changed.some((name) => ["start", "end", "text"].includes(name))) changed.push("start", "end", "text");
        const back = Object.fromEntries([...new Set(changed)].map((name) => [name, c.before[name]]));
        if (changed.length) commands.push({ op: "updateSpan", key: c.key, changes: back });
        break;
      }
      case "relation-added":
        if (!added.has(c.relation.from) && !added.has(c.relation.to)) commands.push({ op: "deleteRelation", key: c.relation.key });
        break;
      case "relation-removed":
        commands.push({ op: "createRelation", relation: c.relation });
        break;
      case "relation-updated":
        commands.push({ op: "updateRelation", key: c.key, label: c.label, attrs: c.before });
        break;
    }
  }
  return commands;
}

/** What an action did, in a few words for the message line ("deleting Quote “…”"). */
export function describeChanges(changes) {
  const count = (type) => changes.filter((c) => c.type === type).length;
  const first = (type) => changes.find((c) => c.type === type);
  const spansAdded = count("span-added");
  const spansRemoved = count("span-removed");
  const accepted = changes.some((c) => c.type === "span-added" && c.span.origin === "suggested");
  if (spansAdded > 1) return accepted ? `accepting ${spansAdded} suggestions` : `adding ${spansAdded} spans`;
  if (spansRemoved > 1) return `deleting ${spansRemoved} spans`;
  if (spansAdded) return `${accepted ? "accepting" : "marking"} ${quoted(first("span-added").span)}`;
  if (spansRemoved) return `deleting ${quoted(first("span-removed").span)}`;
  const updated = first("span-updated");
  if (updated) {
    const { before, after } = updated;
    const span = { label: after.label, text: updated.text };
    if (before.label !== after.label) return `relabelling ${quoted({ label: before.label, text: updated.text })} as ${after.label}`;
    if (before.start !== undefined) return `moving the boundaries of ${quoted(span)}`;
    const names = [...new Set([...Object.keys(before.attrs), ...Object.keys(after.attrs)])].filter(
      (name) => JSON.stringify(before.attrs[name]) !== JSON.stringify(after.attrs[name]),
    );
    return `${names.join(", ") || "the attributes"} of ${quoted(span)}`;
  }
  const linked = count("relation-added");
  if (linked > 1) return `adding ${linked} links`;
  if (linked) return `the ${first("relation-added").relation.label} link`;
  if (count("relation-removed")) return `deleting the ${first("relation-removed").relation.label} link`;
  if (count("relation-updated")) return `the attributes of the ${first("relation-updated").label} link`;
  return "the last change";
}

/**
 * The session's undo and redo stacks. `store` is the page's Store; `edits` makes changes the way
 * the analyst's commands do (sync.js: createSpan(label, {start, end, text}, attrs) → span,
 * updateSpan(key, changes), deleteSpan(key), deleteSpans(keys) if it has it, createRelation(from, to, label, attrs) → relation,
 * updateRelation(key, attrs), deleteRelation(key)). Dispatches "change" when either stack does,
 * and "applied" {changes} after an undo or redo with the changes it made.
 */
export class UndoHistory extends EventTarget {
  #store;
  #edits;
  #limit;
  #undo = [];
  #redo = [];
  #alias = new Map(); // key of a span or relation that is gone → the key that replaced it
  #capture = null;
  #applying = null;

  constructor({ store, edits, limit = UNDO_LIMIT }) {
    super();
    this.#store = store;
    this.#edits = edits;
    this.#limit = limit;
    store.addEventListener("change", (event) => {
      if (event.detail.type === "reset") this.clear();
      if (!this.#capture) return;
      const record = changeRecord(event.detail);
      if (record) this.#capture.push(record);
    });
  }

  /** "undo" or "redo" while one is being applied (its changes are marked so), else null. */
  get applying() {
    return this.#applying;
  }

  get canUndo() {
    return this.#undo.length > 0;
  }

  get canRedo() {
    return this.#redo.length > 0;
  }

  get size() {
    return { undo: this.#undo.length, redo: this.#redo.length };
  }

  clear() {
    this.#undo = [];
    this.#redo = [];
    this.#alias.clear();
    this.#changed();
  }

  #changed() {
    this.dispatchEvent(new CustomEvent("change"));
  }

  /** Run `fn` (one command of the analyst) and keep what it changed as one action; a new
   * action forgets what was undone. Nested calls belong to the outer action. */
  record(fn) {
    if (this.#capture) return fn();
    this.#capture = [];
    try {
      return fn();
    } finally {
      const changes = this.#capture;
      this.#capture = null;
      if (changes.length) {
        this.#undo.push({ what: describeChanges(changes), changes });
        if (this.#undo.length > this.#limit) this.#undo.shift();
        this.#redo = [];
        this.#changed();
      }
    }
  }

  /** The key that stands for `key` now (a span brought back by an undo has a new one). */
  resolve(key) {
    let current = key;
    while (this.#alias.has(current)) current = this.#alias.get(current);
    return current;
  }

  /** Undo the last action: null when there is none, else {what, done, key} — `done` false when
   * nothing of it could be undone any more (its spans are gone); `key` a span to show. */
  undo() {
    return this.#step(this.#undo, this.#redo);
  }

  redo() {
    return this.#step(this.#redo, this.#undo);
  }

  #step(from, to) {
    const entry = from.pop();
    if (!entry) return null;
    const { what, changes } = entry;
    this.#capture = [];
    this.#applying = from === this.#undo ? "undo" : "redo";
    let made;
    try {
      // Deleting many spans (undoing an accept-all) is one change of the edits, sent at once.
      const commands = inverseCommands(changes);
      const deletes = commands.filter((c) => c.op === "deleteSpan");
      if (deletes.length > 1 && deletes.length === commands.length && this.#edits.deleteSpans) {
        this.#edits.deleteSpans(deletes.map((c) => this.resolve(c.key)).filter((key) => this.#store.span(key)));
      } else {
        for (const command of commands) this.#apply(command);
      }
    } finally {
      made = this.#capture;
      this.#capture = null;
      this.#applying = null;
      if (made.length) to.push({ what, changes: made }); // redo names what undo named
      this.#changed();
    }
    if (made.length) this.dispatchEvent(new CustomEvent("applied", { detail: { changes: made } }));
    return { what, done: made.length > 0, key: this.#shown(made) };
  }

  /** The span an undo should select: the last one it brought back or changed and still there. */
  #shown(made) {
    for (const c of [...made].reverse()) {
      const key = c.span?.key ?? (c.type === "span-updated" ? c.key : null);
      if (key && c.type !== "span-removed" && this.#store.span(key)) return key;
    }
    return null;
  }

  #relationAttrs(label, attrs) {
    const out = { ...attrs };
    for (const name of spanRefNames(this.#store.schema, label)) {
      if (out[name] === undefined || out[name] === null) continue;
      const key = this.resolve(out[name]);
      if (this.#store.span(key)) out[name] = key;
      else delete out[name];
    }
    return out;
  }

  #apply(command) {
    const store = this.#store;
    const edits = this.#edits;
    switch (command.op) {
      case "deleteSpan": {
        const key = this.resolve(command.key);
        if (store.span(key)) edits.deleteSpan(key);
        break;
      }
      case "createSpan": {
        const { span } = command;
        if (store.span(this.resolve(span.key))) break;
        const same = store.findSame(span.label, span.start, span.end);
        const made = same || edits.createSpan(span.label, { start: span.start, end: span.end, text: span.text }, span.attrs);
        if (made.key !== span.key) this.#alias.set(span.key, made.key);
        if (same && JSON.stringify(same.attrs) !== JSON.stringify(span.attrs)) edits.updateSpan(same.key, { attrs: span.attrs });
        break;
      }
      case "updateSpan": {
        const span = store.span(this.resolve(command.key));
        // Nothing to send when the span is as wanted already (the server refused the change).
        const differs = Object.entries(command.changes).some(([name, value]) => JSON.stringify(span?.[name]) !== JSON.stringify(value));
        if (span && differs) edits.updateSpan(span.key, command.changes);
        break;
      }
      case "createRelation": {
        const { relation } = command;
        if (store.relation(this.resolve(relation.key))) break;
        const from = this.resolve(relation.from);
        const to = this.resolve(relation.to);
        if (!store.span(from) || !store.span(to)) break;
        const attrs = this.#relationAttrs(relation.label, relation.attrs);
        const same = store.findRelation(relation.label, from, to);
        const made = same || edits.createRelation(from, to, relation.label, attrs);
        if (made.key !== relation.key) this.#alias.set(relation.key, made.key);
        break;
      }
      case "updateRelation": {
        const key = this.resolve(command.key);
        if (store.relation(key)) edits.updateRelation(key, this.#relationAttrs(command.label, command.attrs));
        break;
      }
      case "deleteRelation": {
        const key = this.resolve(command.key);
        if (store.relation(key)) edits.deleteRelation(key);
        break;
      }
    }
  }
}
