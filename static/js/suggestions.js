// Suggestions in the workspace (DESIGN.md §8; the API is in docs/suggestions.md): spans and
// relations proposed by the project's suggesters, shown as "ghosts" until the analyst accepts
// or rejects them.
//
// - They load after the page's own data, and a failed load is only a notice: annotating never
//   waits for them.
// - A ghost is drawn by DocView in the same lanes as the spans (a span object with `ghost:
//   true` and a key "s:<suggestion key>"), so overlapping ones stay visible and clickable; the
//   panel lists them with label, excerpt, confidence and rule.
// - Accepting goes through the save queue like every other change (operations acceptSuggestion,
//   acceptRelation, acceptAll in sync.js), so it carries the version and waits its turn; the
//   span appears in the store when the server answers with it (origin "suggested"). Rejecting
//   is a separate call: it does not change the annotation's version.
// - A suggested relation can be accepted once both its ends are spans; "accept all" takes every
//   span and then every relation whose ends are spans.
//
// SuggestionSet is plain logic (node --test); SuggestionsUI wires it to the page.

import { request } from "./api.js";
import { compareSpans } from "./lanes.js";
import { excerpt } from "./render.js";
import { newId } from "./sync.js";

const PREFIX = "s:";

/** The DocView / selection key of the suggestion with API key `key`. */
export const ghostKey = (key) => PREFIX + key;

export const isGhostKey = (key) => typeof key === "string" && key.startsWith(PREFIX);

/** An API suggestion key "<label>:<start>:<end>" (the label may hold colons) → its parts. */
export function parseKey(key) {
  const parts = key.split(":");
  const end = Number(parts.pop());
  const start = Number(parts.pop());
  return { label: parts.join(":"), start, end };
}

/** One list in compareSpans order from two lists already in that order. */
export function mergeSorted(a, b) {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compareSpans(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** "85%" for a confidence of 0.85; "—" when there is none. */
export function confidenceText(confidence) {
  return typeof confidence === "number" ? `${Math.round(confidence * 100)}%` : "—";
}

/** The suggestions still on offer, in text order. */
export class SuggestionSet {
  #ghosts = []; // span-like objects for DocView, in compareSpans order
  #byKey = new Map(); // ghost key → ghost
  relations = [];
  pending = new Set(); // ghost keys whose accept is queued

  /**
   * Replace everything with a GET …/suggestions/ payload. `hasSpan(label, start, end)` tells
   * whether the annotation already holds that span (accepted meanwhile); those are left out.
   */
  load(payload, hasSpan = () => false) {
    this.#ghosts = (payload.spans || [])
      .filter((s) => !hasSpan(s.label, s.start, s.end))
      .map((s) => ({
        key: ghostKey(s.key),
        suggestion: s.key,
        ghost: true,
        label: s.label,
        start: s.start,
        end: s.end,
        text: s.text,
        attrs: { ...(s.attrs || {}) },
        confidence: s.confidence ?? null,
        rule: s.rule || "",
        source: s.source || "",
      }))
      .sort(compareSpans);
    this.#byKey = new Map(this.#ghosts.map((g) => [g.key, g]));
    this.relations = [...(payload.relations || [])];
    this.pending = new Set([...this.pending].filter((key) => this.#byKey.has(key)));
  }

  get sorted() {
    return this.#ghosts;
  }

  get size() {
    return this.#ghosts.length;
  }

  get(key) {
    return this.#byKey.get(key) || null;
  }

  /** Take a suggestion off the list, with the suggested relations touching it. */
  remove(key) {
    const ghost = this.#byKey.get(key);
    if (!ghost) return null;
    this.#byKey.delete(key);
    this.#ghosts.splice(this.#ghosts.indexOf(ghost), 1);
    this.pending.delete(key);
    return ghost;
  }

  /** Forget relations touching the suggestion key (rejected: the server drops them too). */
  dropRelationsOf(suggestion) {
    this.relations = this.relations.filter((r) => r.from !== suggestion && r.to !== suggestion);
  }

  /** Put a removed suggestion back (a rejection that did not reach the server). */
  restore(ghost) {
    if (this.#byKey.has(ghost.key)) return;
    const at = this.#ghosts.findIndex((g) => compareSpans(g, ghost) > 0);
    this.#ghosts.splice(at === -1 ? this.#ghosts.length : at, 0, ghost);
    this.#byKey.set(ghost.key, ghost);
  }

  /** Suggestions covering code point `offset`, innermost first. */
  at(offset) {
    return this.#ghosts
      .filter((g) => g.start <= offset && offset < g.end)
      .sort((a, b) => a.end - a.start - (b.end - b.start) || compareSpans(a, b));
  }

  /**
   * The suggestion after (step > 0) or before (step < 0) `from` — a ghost or a span, anything
   * with start, end and key; from nothing, the first or the last. Wraps around; skips those
   * being accepted. Null when none is left.
   */
  next(from, step) {
    const open = this.#ghosts.filter((g) => !this.pending.has(g.key));
    if (open.length === 0) return null;
    if (!from) return step > 0 ? open[0] : open[open.length - 1];
    if (step > 0) return open.find((g) => compareSpans(g, from) > 0) || open[0];
    return open.findLast((g) => compareSpans(g, from) < 0) || open[open.length - 1];
  }

  /** Suggested relations with, for each end, the key of the span it is now (or null). */
  relationsWithEnds(spanKeyOf) {
    return this.relations.map((relation) => ({
      relation,
      from: spanKeyOf(relation.from),
      to: spanKeyOf(relation.to),
    }));
  }
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "disabled") node.disabled = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** The page side: loading, drawing, the panel section, the keys, accepting and rejecting. */
export class SuggestionsUI {
  set = new SuggestionSet();
  selected = null; // ghost key
  #store;
  #view;
  #queue;
  #section;
  #list;
  #relationList;
  #count;
  #notice;
  #articleId;
  #annotationId;
  #say;
  #canEdit;
  #relayout;
  #labelTag;
  #items = new Map(); // ghost key → <li>

  /**
   * store, view (DocView), queue (sync.queue), section: the panel's [data-suggestions];
   * say(message, {error}); canEdit() → false (and says why) when changes are not allowed;
   * relayout() redraws every span (DocView.renderAll and the page's emphasis);
   * labelTag(label) → a swatch-and-name element.
   */
  constructor({ store, view, queue, section, articleId, annotationId, say, canEdit, relayout, labelTag }) {
    this.#store = store;
    this.#view = view;
    this.#queue = queue;
    this.#section = section;
    this.#list = section.querySelector("[data-suggestion-list]");
    this.#relationList = section.querySelector("[data-suggestion-relations]");
    this.#count = section.querySelector("[data-suggestion-count]");
    this.#notice = section.querySelector("[data-suggestion-notice]");
    this.#articleId = articleId;
    this.#annotationId = annotationId;
    this.#say = say;
    this.#canEdit = canEdit;
    this.#relayout = relayout;
    this.#labelTag = labelTag;

    store.addEventListener("change", (event) => {
      const d = event.detail;
      if (d.type === "select" && d.key) this.select(null);
      // A span drawn by hand (or restored) on a suggestion's exact place replaces it.
      if (d.type === "span-added") {
        const ghost = this.set.get(ghostKey(`${d.span.label}:${d.span.start}:${d.span.end}`));
        if (ghost) this.#drop(ghost.key);
      }
      if (d.type === "span-added" || d.type === "span-removed") this.#renderRelations();
    });
    queue.addEventListener("saved", (event) => this.#saved(event.detail));
    queue.addEventListener("rejected", (event) => this.#refused(event.detail));
    section.addEventListener("click", (event) => {
      const target = event.target.closest("[data-action], [data-suggestion]");
      if (!target) return;
      if (target.dataset.action === "accept-all-suggestions") this.acceptAll();
      else if (target.dataset.action === "accept-relation") this.acceptRelation(Number(target.dataset.index));
      else if (target.dataset.suggestion) this.select(target.dataset.suggestion);
    });
  }

  owns(key) {
    return isGhostKey(key);
  }

  /** The spans to draw: the annotation's and the ghosts, in text order. */
  merged(spans) {
    return mergeSorted(spans, this.set.sorted);
  }

  at(offset) {
    return this.set.at(offset);
  }

  /** Fetch the suggestions; never throws. */
  async load() {
    if (!this.#store.editable) {
      this.#finish("off", "Suggestions are offered while the annotation is a draft.");
      return;
    }
    let answer;
    try {
      answer = await request("GET", `articles/${this.#articleId}/suggestions/`);
    } catch {
      answer = null;
    }
    if (!answer || answer.status !== 200) {
      this.#finish("failed", "Suggestions could not be loaded; annotate as usual.");
      return;
    }
    this.set.load(answer.body, (label, start, end) => Boolean(this.#store.findSame(label, start, end)));
    if (this.selected && !this.set.get(this.selected)) this.selected = null;
    this.#relayout();
    this.#renderList();
    this.#finish("loaded", this.set.size || this.set.relations.length ? "" : "No suggestions for this article.");
  }

  #finish(state, notice) {
    this.#section.dataset.state = state;
    this.#notice.textContent = notice;
    this.#notice.hidden = !notice;
    this.#notice.classList.toggle("error", state === "failed");
    if (state !== "loaded") this.#renderList();
  }

  // --- panel ---------------------------------------------------------------------------------

  #item(ghost) {
    const li = el(
      "li",
      { dataset: { key: ghost.key } },
      el(
        "button",
        { type: "button", className: "span-item suggestion-item", dataset: { suggestion: ghost.key } },
        this.#labelTag(ghost.label),
        el("span", { className: "excerpt", text: `“${excerpt(ghost.text, 70)}”` }),
        el("span", { className: "attrs", text: `${confidenceText(ghost.confidence)} · ${ghost.rule || ghost.source}` }),
      ),
    );
    li.classList.toggle("selected", ghost.key === this.selected);
    li.classList.toggle("pending", this.set.pending.has(ghost.key));
    return li;
  }

  #renderList() {
    this.#items.clear();
    const fragment = document.createDocumentFragment();
    for (const ghost of this.set.sorted) {
      const li = this.#item(ghost);
      this.#items.set(ghost.key, li);
      fragment.append(li);
    }
    this.#list.replaceChildren(fragment);
    this.#renderRelations();
    this.#updateCount();
  }

  #updateCount() {
    this.#count.textContent = String(this.set.size);
    this.#section.toggleAttribute("data-empty", this.set.size === 0 && this.set.relations.length === 0);
    const button = this.#section.querySelector("[data-action=accept-all-suggestions]");
    button.disabled = !this.#store.editable || (this.set.size === 0 && this.#acceptable().length === 0);
  }

  /** The span key of a suggestion key, when the annotation has that span. */
  #spanKeyOf = (suggestion) => {
    const { label, start, end } = parseKey(suggestion);
    return this.#store.findSame(label, start, end)?.key || null;
  };

  #acceptable() {
    return this.set.relationsWithEnds(this.#spanKeyOf).filter((r) => r.from && r.to);
  }

  #describe(suggestion) {
    const ghost = this.set.get(ghostKey(suggestion));
    const span = ghost || this.#store.span(this.#spanKeyOf(suggestion) || "");
    const { label } = parseKey(suggestion);
    return `${label} “${excerpt(span?.text || "", 30)}”`;
  }

  #renderRelations() {
    const rows = this.set.relationsWithEnds(this.#spanKeyOf).map(({ relation, from, to }, index) =>
      el(
        "li",
        { className: "suggested-relation" },
        el("span", {
          className: "relation-text",
          text: `${this.#describe(relation.from)} → ${relation.label} → ${this.#describe(relation.to)} · ${confidenceText(relation.confidence)}`,
        }),
        el("button", {
          type: "button",
          className: "small",
          dataset: { action: "accept-relation", index: String(index) },
          disabled: !(from && to) || !this.#store.editable,
          title: from && to ? "Accept this link" : "Accept both ends first",
          text: "Link",
        }),
      ),
    );
    this.#relationList.replaceChildren(...rows);
    this.#relationList.hidden = rows.length === 0;
  }

  // --- selection -----------------------------------------------------------------------------

  /** Select the ghost `key` (null: none); the annotation's selected span is cleared. */
  select(key, { reveal = true } = {}) {
    const ghost = key ? this.set.get(key) : null;
    const next = ghost ? ghost.key : null;
    if (next && this.#store.selected) this.#store.select(null);
    const previous = this.selected;
    this.selected = next;
    this.#view.setClass("ghost-selected", next ? [next] : []);
    if (previous) this.#items.get(previous)?.classList.remove("selected");
    if (!next) return;
    const li = this.#items.get(next);
    if (li) {
      li.classList.add("selected");
      requestAnimationFrame(() => li.isConnected && li.scrollIntoView({ block: "nearest" }));
    }
    if (reveal) this.#view.reveal(next);
    const how = this.#store.editable ? " — a accepts, x rejects, h next" : "";
    this.#say(
      `Suggested ${ghost.label} “${excerpt(ghost.text, 50)}” (${confidenceText(ghost.confidence)}, ${ghost.rule || ghost.source})${how}.`,
    );
  }

  /** Select the next (+1) or previous (-1) suggestion from the current selection. */
  step(direction) {
    const from = this.selected ? this.set.get(this.selected) : this.#store.selected ? this.#store.span(this.#store.selected) : null;
    const ghost = this.set.next(from, direction);
    if (!ghost) {
      this.#say(this.set.size ? "Every suggestion is being accepted." : "No suggestions left.");
      return;
    }
    this.select(ghost.key);
  }

  /** Handle a key press; true when it was a suggestions key. */
  onKey(event, { relationRow = null } = {}) {
    switch (event.key) {
      case "h":
        this.step(1);
        return true;
      case "H":
        this.step(-1);
        return true;
      case "A":
        this.acceptAll();
        return true;
      case "a":
        if (!this.selected) return false;
        this.accept(this.selected);
        return true;
      case "x":
      case "Delete":
      case "Backspace":
        if (!this.selected || relationRow) return false;
        this.reject(this.selected);
        return true;
      case "Escape":
        this.select(null);
        return false; // the page clears its own selection too
      default:
        return false;
    }
  }

  // --- accepting and rejecting ---------------------------------------------------------------

  /** The next suggestion to offer after `ghost` leaves the list (so a, a, x … works through). */
  #advanceFrom(ghost) {
    const next = this.set.next(ghost, 1);
    if (next && next.key !== ghost.key) this.select(next.key);
    else this.select(null);
  }

  accept(key) {
    if (!this.#canEdit()) return;
    const ghost = this.set.get(key);
    if (!ghost || this.set.pending.has(key)) return;
    if (this.#store.findSame(ghost.label, ghost.start, ghost.end)) {
      this.#drop(key);
      this.#say(`This ${ghost.label} is already in the annotation.`);
      return;
    }
    this.set.pending.add(key);
    this.#items.get(key)?.classList.add("pending");
    this.#view.setClass("pending", [...this.set.pending]);
    const client_id = newId();
    this.#queue.enqueue({ kind: "acceptSuggestion", key: `c:${client_id}`, client_id, suggestion: ghost.suggestion });
    this.#advanceFrom(ghost);
    const hint = this.selected ? ` Next: ${this.set.get(this.selected).label} (a / x / h).` : "";
    this.#say(`Accepted ${ghost.label} “${excerpt(ghost.text, 40)}”.${hint}`);
  }

  acceptRelation(index) {
    if (!this.#canEdit()) return;
    const relation = this.set.relations[index];
    if (!relation) return;
    const client_id = newId();
    this.#queue.enqueue({
      kind: "acceptRelation",
      key: `c:${client_id}`,
      client_id,
      label: relation.label,
      from: relation.from,
      to: relation.to,
    });
    this.set.relations = this.set.relations.filter((r) => r !== relation);
    this.#renderRelations();
    this.#updateCount();
  }

  acceptAll() {
    if (!this.#canEdit()) return;
    if (this.set.size === 0 && this.#acceptable().length === 0) {
      this.#say("No suggestions to accept.");
      return;
    }
    for (const ghost of this.set.sorted) this.set.pending.add(ghost.key);
    this.#view.setClass("pending", [...this.set.pending]);
    for (const li of this.#items.values()) li.classList.add("pending");
    this.select(null);
    this.#queue.enqueue({ kind: "acceptAll" });
    this.#say("Accepting every suggestion…");
  }

  async reject(key) {
    if (!this.#canEdit()) return;
    const ghost = this.set.get(key);
    if (!ghost || this.set.pending.has(key)) return;
    const relations = this.set.relations;
    this.#advanceFrom(ghost);
    this.#drop(key);
    this.set.dropRelationsOf(ghost.suggestion);
    this.#renderRelations();
    const hint = this.selected ? ` Next: ${this.set.get(this.selected).label} (a / x / h).` : "";
    this.#say(`Rejected ${ghost.label} “${excerpt(ghost.text, 40)}”.${hint}`);
    let answer = null;
    try {
      answer = await request("POST", `annotations/${this.#annotationId}/suggestions/reject/`, { key: ghost.suggestion });
    } catch {
      answer = null;
    }
    if (answer && answer.status >= 200 && answer.status < 300) return;
    // Not recorded: show it again, so that it is not silently back after a reload.
    this.set.restore(ghost);
    this.set.relations = relations;
    this.#view.addSpan(ghost);
    this.#renderList();
    const why = answer?.body?.errors?.map((e) => e.message).join(" ") || "no connection to the server.";
    this.#say(`Not rejected: ${why}`, { error: true });
  }

  /** Take a ghost off the page. */
  #drop(key) {
    if (this.selected === key) this.select(null);
    if (!this.set.remove(key)) return;
    this.#view.removeSpan(key);
    this.#items.get(key)?.remove();
    this.#items.delete(key);
    this.#view.setClass("pending", [...this.set.pending]);
    this.#updateCount();
  }

  /** The server answered an operation of ours: the accepted spans and relations enter the store. */
  #saved({ op, body }) {
    if (op.kind === "acceptSuggestion" && body?.span) {
      this.#drop(ghostKey(op.suggestion));
      this.#store.addSaved(body.span);
    } else if (op.kind === "acceptRelation" && body?.relation) {
      this.#store.addSavedRelation(body.relation);
    } else if (op.kind === "acceptAll" && body) {
      for (const span of body.spans || []) {
        this.#drop(ghostKey(`${span.label}:${span.start}:${span.end}`));
        this.#store.addSaved(span);
      }
      for (const relation of body.relations || []) this.#store.addSavedRelation(relation);
      const skipped = (body.skipped || []).length;
      this.#say(
        `Accepted ${body.spans?.length || 0} spans and ${body.relations?.length || 0} links${skipped ? `; ${skipped} could not be taken` : ""}.`,
      );
      this.load(); // what is left (skipped items, links now possible)
    }
  }

  /** The server refused an accept for good. */
  #refused({ op, body }) {
    const codes = (body?.errors || []).map((e) => e.code);
    if (op.kind === "acceptSuggestion") {
      const key = ghostKey(op.suggestion);
      // Not suggested any more = that span is in the annotation already (accepted by "accept
      // all" or drawn elsewhere): nothing to do but take the ghost away.
      if (codes.includes("not_suggested") || codes.includes("duplicate")) {
        const { label, start, end } = parseKey(op.suggestion);
        this.#drop(key);
        const known = this.#store.findSame(label, start, end);
        this.#say(`This ${label} is already in the annotation${known ? "" : " (reload to see it)"}.`);
        return;
      }
      this.set.pending.delete(key);
      this.#items.get(key)?.classList.remove("pending");
      this.#view.setClass("pending", [...this.set.pending]);
    } else if (op.kind === "acceptAll") {
      this.set.pending.clear();
      this.load();
    } else if (op.kind === "acceptRelation") {
      this.load();
    }
  }
}
