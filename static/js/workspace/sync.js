// Keeping the server in step with the page. Every change the analyst makes is an operation —
// createSpan, updateSpan, deleteSpan (deleteSpans for many at once: the undo of an accept-all),
// createRelation, updateRelation, deleteRelation — that the save queue
// (savequeue.js) sends as one API call; this module turns operations into calls, applies the
// server's answers to the store (ids for new spans, undoing what it refused), and, when the page
// loads, reconciles what an earlier page left unsent with the annotation the server holds.
// The page's edits go through here too: each changes the store at once and queues its
// operation. No DOM: the page decides what to tell the analyst.

import { request as apiRequest, newClientId } from "../api.js";
import { plural } from "../format.js";
import { spanToUtf16 } from "../offsets.js";
import { keptAttributes, spanRefNames } from "../schema.js";
import { LocalRejection, PendingStorage, SaveQueue, reconcile, versionsTaken } from "./savequeue.js";
import { itemKey } from "./store.js";
import { UndoHistory } from "./undo.js";

/** Does the operation involve the span or relation `key`? */
export function refersTo(op, key) {
  return (
    op.key === key ||
    op.from === key ||
    op.to === key ||
    Object.values(op.attrs || {}).includes(key)
  );
}

export function sameAttrs(a, b) {
  const ka = Object.keys(a || {}).sort();
  const kb = Object.keys(b || {}).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** Whether an operation's effect is already in `payload` (an annotation from the server). */
export function landedIn(payload) {
  return (op) => {
    switch (op.kind) {
      case "createSpan":
      case "acceptSuggestion":
        return payload.spans.some((s) => s.client_id === op.client_id);
      case "createRelation":
      case "acceptRelation":
        return payload.relations.some((r) => r.client_id === op.client_id);
      case "deleteSpan":
        return !payload.spans.some((s) => itemKey(s) === op.key);
      case "deleteSpans": {
        const gone = new Set(op.keys);
        return !payload.spans.some((s) => gone.has(itemKey(s)));
      }
      case "deleteRelation":
        return !payload.relations.some((r) => itemKey(r) === op.key);
      case "updateRelation": {
        // The page names spans by key, the payload by id.
        const relation = payload.relations.find((r) => itemKey(r) === op.key);
        const ids = new Map(payload.spans.map((s) => [itemKey(s), s.id]));
        const wanted = Object.fromEntries(
          Object.entries(op.attrs || {}).map(([name, value]) => [name, ids.get(value) ?? value]),
        );
        return Boolean(relation && sameAttrs(relation.attrs, wanted));
      }
      case "updateSpan": {
        const span = payload.spans.find((s) => itemKey(s) === op.key);
        return Boolean(
          span &&
            (op.changes.label === undefined || span.label === op.changes.label) &&
            (op.changes.attrs === undefined || sameAttrs(span.attrs, op.changes.attrs)),
        );
      }
      default:
        return false;
    }
  };
}

/** From this many spans changed at once, the page redraws everything once (Store.batch) rather
 * than each of them: a full redraw of a long article takes tens of milliseconds (the render
 * figure of docs/performance.md), worth it for many spans, not for an attribution's three. */
export const REDRAW_ONCE_FROM = 50;

function drawnOnce(store, count, fn) {
  return count >= REDRAW_ONCE_FROM ? store.batch(fn) : fn();
}

export class Sync {
  #store;
  #schema;
  #annotation;
  #text;
  #index;
  #pending;
  #session;
  #storage;
  #previousTab;
  #request;

  /**
   * annotation: the server's payload the page was built from. The queue starts at its
   * version; `storage` (localStorage) mirrors unsent operations, `session` (sessionStorage)
   * remembers this tab across reloads. `request` is api.request (tests pass their own).
   */
  constructor({ store, schema, annotation, text, index, storage, session, request = apiRequest }) {
    this.#request = request;
    this.#store = store;
    this.#schema = schema;
    this.#annotation = annotation;
    this.#text = text;
    this.#index = index;
    this.#storage = storage;
    this.#session = session;
    this.#previousTab = session.getItem("annotator:tab");
    const tab = newClientId(); // fresh per page: a duplicated tab copies sessionStorage
    session.setItem("annotator:tab", tab);
    this.#pending = this.#storageFor(tab);
    this.queue = new SaveQueue({
      send: (op, version) => this.#send(op, version),
      version: annotation.version,
      persist: (entry) => this.#pending.write(entry),
      confirm: (op, version) => this.#confirm(op, version),
    });
    // The analyst's edits below are recorded for undo; undoing goes through them too.
    this.history = new UndoHistory({ store, edits: this });
    this.queue.addEventListener("saved", (event) => this.#acknowledged(event.detail));
    this.queue.addEventListener("rejected", (event) => this.#refused(event.detail));
    // Refresh this tab's entry now and then, so other pages know it is still alive.
    const heartbeat = setInterval(() => {
      if (this.queue.size) this.#pending.write({ version: this.queue.version, ops: this.queue.pending });
    }, 20_000);
    heartbeat.unref?.(); // under node --test, do not keep the process alive
  }

  #storageFor(tab) {
    return new PendingStorage(this.#storage, `annotator:pending:${this.#annotation.id}`, tab);
  }

  #needId(key) {
    const id = this.#store.idOf(key);
    if (id === null || id === undefined) {
      throw new LocalRejection("A span this change refers to was never saved.");
    }
    return id;
  }

  #spanRefsToIds(relationLabel, attrs) {
    const out = { ...(attrs || {}) };
    for (const name of spanRefNames(this.#schema, relationLabel)) {
      if (out[name]) out[name] = this.#needId(out[name]);
    }
    return out;
  }

  async #send(op, version) {
    const base = `annotations/${this.#annotation.id}/`;
    const via = op.via ? { via: op.via } : {}; // an undo or redo: the history says so
    switch (op.kind) {
      case "createSpan":
        return this.#request("POST", `${base}spans/`, {
          version,
          ...via,
          client_id: op.client_id,
          label: op.label,
          start: op.start,
          end: op.end,
          text: op.text,
          attrs: op.attrs || {},
        });
      case "updateSpan":
        return this.#request("PATCH", `${base}spans/${this.#needId(op.key)}/`, {
          version,
          ...via,
          ...op.changes,
        });
      case "deleteSpan":
        return this.#request("DELETE", `${base}spans/${this.#needId(op.key)}/`, { version, ...via });
      case "deleteSpans": // all or nothing, one history event per span
        return this.#request("POST", `${base}spans/delete/`, { version, ...via, ids: op.keys.map((key) => this.#needId(key)) });
      case "createRelation":
        return this.#request("POST", `${base}relations/`, {
          version,
          ...via,
          client_id: op.client_id,
          label: op.label,
          from: this.#needId(op.from),
          to: this.#needId(op.to),
          attrs: this.#spanRefsToIds(op.label, op.attrs),
        });
      case "updateRelation":
        return this.#request("PATCH", `${base}relations/${this.#needId(op.key)}/`, {
          version,
          ...via,
          attrs: this.#spanRefsToIds(op.label, op.attrs),
        });
      case "deleteRelation":
        return this.#request("DELETE", `${base}relations/${this.#needId(op.key)}/`, { version, ...via });
      // Suggestions (suggestions_ui.js): shown once the server answers, so nothing to undo.
      case "acceptSuggestion":
        return this.#request("POST", `${base}suggestions/accept/`, { version, key: op.suggestion, client_id: op.client_id });
      case "acceptRelation":
        return this.#request("POST", `${base}suggestions/accept-relation/`, {
          version,
          label: op.label,
          from: op.from,
          to: op.to,
          client_id: op.client_id,
        });
      case "acceptAll":
        return this.#request("POST", `${base}suggestions/accept-all/`, { version });
      case "acceptGroup": // one attribution: its spans and its link, in one request
        return this.#request("POST", `${base}suggestions/accept-all/`, { version, keys: op.keys, relations: op.relations });
      default:
        throw new LocalRejection(`Unknown change ${op.kind}.`);
    }
  }

  /** After a 409 for a change whose first answer was lost: did it land after all? */
  async #confirm(op, version) {
    const { status, body } = await this.#request("GET", `annotations/${this.#annotation.id}/`);
    if (status !== 200 || body.version !== version + versionsTaken(op) || !landedIn(body)(op)) return null;
    const found =
      op.kind === "createSpan"
        ? { span: body.spans.find((s) => s.client_id === op.client_id) }
        : op.kind === "createRelation"
          ? { relation: body.relations.find((r) => r.client_id === op.client_id) }
          : {};
    return { version: body.version, body: { version: body.version, ...found } };
  }

  #acknowledged({ op, body }) {
    if (op.kind === "createSpan" && body?.span) this.#store.ackSpan(op.key, body.span);
    if (op.kind === "createRelation" && body?.relation) this.#store.ackRelation(op.key, body.relation);
  }

  /** The server refused an operation for good: undo it on the page. */
  #refused({ op, body }) {
    const store = this.#store;
    const gone = (body?.errors || []).some((e) => e.code === "not_found");
    switch (op.kind) {
      case "createSpan":
        store.removeSpan(op.key);
        this.queue.discard((other) => refersTo(other, op.key));
        break;
      case "updateSpan":
        if (op.before && store.span(op.key)) store.updateSpan(op.key, op.before);
        break;
      case "deleteSpan":
        if (op.snapshot && !gone) store.restoreSpan(op.snapshot);
        break;
      case "deleteSpans": {
        // Nothing was deleted; the spans the server named as not found are gone already.
        const missing = new Set(
          (body?.errors || []).filter((e) => e.code === "not_found" && /^ids\.\d+$/.test(e.field)).map((e) => op.keys[Number(e.field.slice(4))]),
        );
        drawnOnce(store, op.keys.length, () => {
          op.snapshots.forEach((snapshot, i) => {
            if (!missing.has(op.keys[i])) store.restoreSpan(snapshot);
          });
        });
        break;
      }
      case "createRelation":
        store.removeRelation(op.key);
        break;
      case "updateRelation":
        if (op.before && store.relation(op.key)) store.updateRelation(op.key, op.before);
        break;
      case "deleteRelation":
        if (op.snapshot && !gone) store.restoreRelation(op.snapshot);
        break;
    }
  }

  /** Queue an operation that the store already shows (marked when it undoes or redoes). */
  push(op) {
    if (this.history.applying) op.via = this.history.applying;
    this.queue.enqueue(op);
  }

  // --- the analyst's edits ---------------------------------------------------------------------

  /** A new `label` span on {start, end, text} (offsets.selectionToSpan's answer); returns it. */
  createSpan(label, span, attrs = {}) {
    return this.history.record(() => {
      const client_id = newClientId();
      const added = this.#store.addSpan({ client_id, label, start: span.start, end: span.end, text: span.text, attrs });
      this.push({ kind: "createSpan", key: added.key, client_id, label, start: span.start, end: span.end, text: span.text, attrs: { ...attrs } });
      return added;
    });
  }

  /** Change span `key`: any of label, attrs, and start/end/text together. */
  updateSpan(key, changes) {
    if (!this.#store.span(key)) return;
    this.history.record(() => {
      const before = this.#store.updateSpan(key, changes);
      this.push({ kind: "updateSpan", key, changes: { ...changes }, before });
    });
  }

  /** Set attribute `name` of span `key` to `value`; null, "" or undefined takes it away. */
  setAttribute(key, name, value) {
    const span = this.#store.span(key);
    if (!span) return;
    const attrs = { ...span.attrs };
    if (value === null || value === "" || value === undefined) delete attrs[name];
    else attrs[name] = value;
    if (sameAttrs(attrs, span.attrs)) return;
    this.updateSpan(key, { attrs });
  }

  /** Give span `key` the label `label`, keeping the attributes that label has too. */
  setLabel(key, label) {
    const span = this.#store.span(key);
    if (!span || span.label === label) return;
    this.updateSpan(key, { label, attrs: keptAttributes(this.#schema, label, span.attrs) });
  }

  /** Delete span `key` with its relations. One never sent is only taken off the queue. */
  deleteSpan(key) {
    this.history.record(() => {
      const unsent = this.withdraw("createSpan", key);
      const snapshot = this.#store.removeSpan(key);
      if (!unsent) this.push({ kind: "deleteSpan", key, snapshot });
    });
  }

  /**
   * Delete the spans `keys` with their relations as one change (the undo of an accept-all):
   * those the server holds go in one request, not one each, and from REDRAW_ONCE_FROM spans
   * the page redraws once.
   */
  deleteSpans(keys) {
    this.history.record(() => {
      const store = this.#store;
      drawnOnce(store, keys.length, () => {
        const sent = [];
        const snapshots = [];
        for (const key of keys) {
          if (!store.span(key)) continue;
          const unsent = this.withdraw("createSpan", key);
          const snapshot = store.removeSpan(key);
          if (unsent) continue;
          sent.push(key);
          snapshots.push(snapshot);
        }
        if (sent.length === 1) this.push({ kind: "deleteSpan", key: sent[0], snapshot: snapshots[0] });
        else if (sent.length) this.push({ kind: "deleteSpans", keys: sent, snapshots });
      });
    });
  }

  /** A new relation `label` from span `from` to span `to` (keys); returns it. */
  createRelation(from, to, label, attrs) {
    return this.history.record(() => {
      const client_id = newClientId();
      const relation = this.#store.addRelation({ client_id, label, from, to, attrs });
      this.push({ kind: "createRelation", key: relation.key, client_id, label, from, to, attrs: relation.attrs });
      return relation;
    });
  }

  /** Replace the attributes of relation `key`. */
  updateRelation(key, attrs) {
    const relation = this.#store.relation(key);
    if (!relation || sameAttrs(relation.attrs, attrs)) return;
    this.history.record(() => {
      const before = this.#store.updateRelation(key, attrs);
      this.push({ kind: "updateRelation", key, label: relation.label, attrs: { ...attrs }, before });
    });
  }

  /** Delete relation `key`. One never sent is only taken off the queue. */
  deleteRelation(key) {
    this.history.record(() => {
      const unsent = this.withdraw("createRelation", key);
      const snapshot = this.#store.removeRelation(key);
      if (!unsent) this.push({ kind: "deleteRelation", key, snapshot });
    });
  }

  /**
   * Take a span's or relation's create off the queue if it was never sent, with everything
   * queued that refers to it; true when it was (then nothing needs deleting on the server).
   */
  withdraw(kind, key) {
    const unsent = this.queue.discard((op) => op.kind === kind && op.key === key).length > 0;
    if (unsent) this.queue.discard((op) => refersTo(op, key));
    return unsent;
  }

  /**
   * What earlier pages of this annotation left unsent: this tab before a reload, and tabs that
   * have gone away. {ops, tabs, conflict}: `conflict` when replaying could undo a change made
   * elsewhere meanwhile (see savequeue.reconcile). Operations that already landed are dropped.
   */
  earlier() {
    const { mine, orphans } = this.#pending.read();
    const previous = this.#previousTab ? this.#storageFor(this.#previousTab).read().mine : null;
    const entries = [
      ...(previous ? [{ tab: this.#previousTab, ...previous }] : []),
      ...(mine ? [{ tab: null, ...mine }] : []),
      ...orphans.filter((o) => o.tab !== this.#previousTab),
    ];
    const server = this.#annotation;
    const landed = landedIn(server);
    let ops = [];
    let conflict = false;
    for (const entry of entries) {
      const result = reconcile(entry, server.version, landed);
      ops = ops.concat(result.replay);
      conflict ||= result.conflict;
    }
    const tabs = entries.map((e) => e.tab).filter(Boolean);
    if (!ops.length) this.forget(tabs);
    return { ops, tabs, conflict };
  }

  forget(tabs) {
    this.#pending.forget(tabs);
  }

  /** Apply earlier operations to the page and queue them; {applied, dropped} counts. */
  replay(ops, tabs) {
    let dropped = 0;
    for (const op of ops) {
      if (this.#apply(op)) this.queue.enqueue(op);
      else dropped += 1;
    }
    this.forget(tabs);
    return { applied: ops.length - dropped, dropped };
  }

  /** Apply an operation to the store; false when it no longer fits the annotation. */
  #apply(op) {
    const store = this.#store;
    switch (op.kind) {
      case "createSpan": {
        if (store.span(op.key) || op.end > this.#index.length) return false;
        const { start, end } = spanToUtf16(this.#index, op);
        if (this.#text.slice(start, end) !== op.text) return false;
        store.addSpan(op);
        return true;
      }
      case "updateSpan":
        if (!store.span(op.key)) return false;
        op.before = store.updateSpan(op.key, op.changes);
        return true;
      case "deleteSpan":
        if (!store.span(op.key)) return false;
        op.snapshot = store.removeSpan(op.key);
        return true;
      case "deleteSpans":
        op.keys = op.keys.filter((key) => store.span(key));
        if (!op.keys.length) return false;
        op.snapshots = drawnOnce(store, op.keys.length, () => op.keys.map((key) => store.removeSpan(key)));
        return true;
      case "createRelation":
        if (store.relation(op.key) || !store.span(op.from) || !store.span(op.to)) return false;
        store.addRelation(op);
        return true;
      case "updateRelation": {
        const refs = spanRefNames(this.#schema, op.label);
        if (!store.relation(op.key) || refs.some((name) => op.attrs?.[name] && !store.span(op.attrs[name]))) {
          return false;
        }
        op.before = store.updateRelation(op.key, op.attrs);
        return true;
      }
      case "deleteRelation":
        if (!store.relation(op.key)) return false;
        op.snapshot = store.removeRelation(op.key);
        return true;
      case "acceptSuggestion":
      case "acceptRelation":
      case "acceptAll":
      case "acceptGroup":
        return true; // nothing to show until the server answers (suggestions_ui.js)
      default:
        return false;
    }
  }
}

/** What the page says after replaying earlier changes ({applied, dropped} from Sync.replay). */
export function replayMessage({ applied, dropped }) {
  const parts = [];
  if (applied) {
    const were = applied === 1 ? "was re-applied and is" : "were re-applied and are";
    parts.push(`${plural(applied, "unsaved change")} from before the reload ${were} being saved`);
  }
  if (dropped) {
    const fit = dropped === 1 ? "fits (the span is gone) and was" : "fit (the span is gone) and were";
    parts.push(`${plural(dropped, "earlier change")} no longer ${fit} left out`);
  }
  return parts.length ? `${parts.join("; ")}.` : "";
}
