// Suggestions in the page (the model is suggestions.js): loading them after the page's own
// data, drawing them as ghosts through DocView, the panel's suggestions section, their keys,
// accepting through the save queue and rejecting with a call of its own. User text only via
// textContent.

import { errorMessage, newClientId, request } from "../api.js";
import { el } from "../dom.js";
import { confidenceText, excerpt } from "../format.js";
import { ChunkedList } from "./chunked.js";
import { SuggestionSet, ghostKey, isGhostKey, mergeSorted, parseKey } from "./suggestions.js";

/** The suggestion key a span on exactly this label and these offsets would have. */
const suggestionKey = (span) => `${span.label}:${span.start}:${span.end}`;

/** The page side: loading, drawing, the panel section, the keys, accepting and rejecting. */
export class SuggestionsUI {
  set = new SuggestionSet();
  selected = null; // ghost key
  #store;
  #view;
  #queue;
  #section;
  #list; // the suggestions, in chunks of rows (chunked.js)
  #relationChunks; // the suggested links, likewise
  #relationList;
  #count;
  #notice;
  #articleId;
  #annotationId;
  #say;
  #canEdit;
  #relayout;
  #labelTag;
  #record;
  #items = new Map(); // ghost key → <li>

  /**
   * store, view (DocView), queue (sync.queue), section: the panel's [data-suggestions];
   * say(message, {error}); canEdit() → false (and says why) when changes are not allowed;
   * relayout() redraws every span (DocView.renderAll and the page's emphasis);
   * labelTag(label) → a swatch-and-name element; record(fn) runs fn as one undoable action
   * (UndoHistory.record): what an accepted suggestion adds to the store is undone as one.
   */
  constructor({ store, view, queue, section, articleId, annotationId, say, canEdit, relayout, labelTag, record = (fn) => fn() }) {
    this.#store = store;
    this.#view = view;
    this.#queue = queue;
    this.#section = section;
    this.#list = new ChunkedList(section.querySelector("[data-suggestion-list]"));
    this.#relationList = section.querySelector("[data-suggestion-relations]");
    this.#relationChunks = new ChunkedList(this.#relationList, { rowPx: 56 });
    this.#count = section.querySelector("[data-suggestion-count]");
    this.#notice = section.querySelector("[data-suggestion-notice]");
    this.#articleId = articleId;
    this.#annotationId = annotationId;
    this.#say = say;
    this.#canEdit = canEdit;
    this.#relayout = relayout;
    this.#labelTag = labelTag;
    this.#record = record;

    store.addEventListener("change", (event) => {
      const d = event.detail;
      if (d.type === "batch-end") {
        // Many accepted at once: the text is redrawn by the page; the list once, here.
        this.#view.setClass("pending", [...this.set.pending]);
        this.#renderList();
        // What is left of the selected one's group (its accepted parts are spans now).
        this.#showGroup(this.selected ? this.set.groupOf(this.selected)?.parts || [] : []);
        return;
      }
      if (d.type === "select" && d.key) this.select(null);
      // A span drawn by hand (or restored) on a suggestion's exact place replaces it.
      if (d.type === "span-added") {
        const ghost = this.set.get(ghostKey(suggestionKey(d.span)));
        if (ghost) this.#drop(ghost.key);
      }
      if (store.batching) return;
      // Only the suggested relations naming that place change (their ends, the Link button):
      // those rows are redrawn, not the hundreds of a long article's list.
      if (d.type === "span-added" || d.type === "span-removed") this.#refreshRelationsNaming(suggestionKey(d.span));
      if (d.type === "span-updated" && d.before) {
        this.#refreshRelationsNaming(suggestionKey({ ...d.span, ...d.before }));
        this.#refreshRelationsNaming(suggestionKey(d.span));
      }
    });
    queue.addEventListener("saved", (event) => this.#record(() => this.#saved(event.detail)));
    queue.addEventListener("rejected", (event) => this.#refused(event.detail));
    section.addEventListener("click", (event) => {
      const target = event.target.closest("[data-action], [data-suggestion]");
      if (!target) return;
      if (target.dataset.action === "accept-all-suggestions") this.acceptAll();
      else if (target.dataset.action === "accept-relation") this.acceptRelation(this.#relationRows.indexOf(target.closest(".suggested-relation")));
      else if (target.dataset.action === "accept-group") this.acceptGroup(target.dataset.group);
      else if (target.dataset.suggestion) this.select(target.dataset.suggestion);
    });
    const hovered = (event) => {
      const on = event.target.closest?.("[data-suggestion], [data-group]");
      this.hover(on ? on.dataset.suggestion || on.dataset.group : null);
    };
    section.addEventListener("mouseover", hovered);
    section.addEventListener("focusin", hovered);
    section.addEventListener("mouseleave", () => this.hover(null));
  }

  owns(key) {
    return isGhostKey(key);
  }

  /** The pointer is over the ghost `key` (null: over none): its group lights up as one. */
  hover(key) {
    const group = key ? this.set.groupOf(key) : null;
    this.#showGroup(group ? group.parts : this.selected ? this.set.groupOf(this.selected)?.parts || [] : []);
  }

  #grouped = [];

  /** Mark the ghosts `keys` (a group) in the text and in the list as belonging together. */
  #showGroup(keys) {
    this.#view.setClass("ghost-group", keys);
    for (const key of this.#grouped) this.#items.get(key)?.classList.remove("in-group");
    for (const key of keys) this.#items.get(key)?.classList.add("in-group");
    this.#grouped = keys;
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
      "div",
      { className: "row", role: "listitem", dataset: { key: ghost.key } },
      el(
        "button",
        { type: "button", className: "span-item suggestion-item", dataset: { suggestion: ghost.key } },
        this.#labelTag(ghost.label),
        el("span", { className: "excerpt", text: `“${excerpt(ghost.text, 70)}”` }),
        el("span", {
          className: "attrs",
          // Near-duplicates of several suggesters are one suggestion (the server merges them).
          text: `${confidenceText(ghost.confidence)} · ${ghost.rule || ghost.source}${ghost.sources.length > 1 ? ` · also ${ghost.sources.slice(1).join(", ")}` : ""}`,
        }),
      ),
    );
    li.classList.toggle("selected", ghost.key === this.selected);
    li.classList.toggle("pending", this.set.pending.has(ghost.key));
    return li;
  }

  #renderList() {
    this.#items.clear();
    const rows = this.set.sorted.map((ghost) => {
      const li = this.#item(ghost);
      this.#items.set(ghost.key, li);
      return li;
    });
    this.#list.replace(rows);
    for (const key of this.#grouped) this.#items.get(key)?.classList.add("in-group");
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

  #relationRows = []; // the <li> of each of set.relations, in its order
  #rowsFor = null; // the set.relations array those rows were drawn for

  #renderRelations() {
    const rows = this.set.relationsWithEnds(this.#spanKeyOf).map(({ relation, from, to }) => this.#relationRow(relation, from, to));
    this.#relationRows = rows;
    this.#rowsFor = this.set.relations;
    this.#relationChunks.replace(rows);
    this.#relationList.hidden = rows.length === 0;
  }

  /** Redraw the rows of the suggested relations naming the suggestion key `suggestion`. */
  #refreshRelationsNaming(suggestion) {
    if (this.#rowsFor !== this.set.relations) {
      this.#renderRelations(); // the list itself changed since it was drawn
      return;
    }
    for (const index of this.set.relationsNaming(suggestion)) {
      const relation = this.set.relations[index];
      const row = this.#relationRow(relation, this.#spanKeyOf(relation.from), this.#spanKeyOf(relation.to));
      this.#relationRows[index].replaceWith(row);
      this.#relationRows[index] = row;
    }
  }

  /**
   * The suggestion key `suggestion` was rejected: the suggested relations with it as an end go
   * (the server drops them too), and the rows of those naming it otherwise (a cue) are redrawn;
   * every other row stays as drawn. (A row's place in the list is its relation's index.)
   */
  #dropRelationsOf(suggestion) {
    if (this.#rowsFor !== this.set.relations) {
      this.set.dropRelationsOf(suggestion);
      this.#renderRelations();
      return;
    }
    const before = this.set.relations;
    const naming = new Set(this.set.relationsNaming(suggestion));
    this.set.dropRelationsOf(suggestion); // a new array, in the same order, without some
    const after = this.set.relations;
    const rows = [];
    before.forEach((relation, index) => {
      let row = this.#relationRows[index];
      if (after[rows.length] !== relation) {
        this.#relationChunks.remove(row);
        return;
      }
      if (naming.has(index)) {
        const fresh = this.#relationRow(relation, this.#spanKeyOf(relation.from), this.#spanKeyOf(relation.to));
        row.replaceWith(fresh);
        row = fresh;
      }
      rows.push(row);
    });
    this.#relationRows = rows;
    this.#rowsFor = after;
    this.#relationList.hidden = rows.length === 0;
  }

  /** The row of the suggested relation `relation`, whose ends are the spans `from`, `to` (keys
   * or null). Its Link button finds the relation by the row's place in the list. */
  #relationRow(relation, from, to) {
    // The first suggestion it names that is still a suggestion stands for the group.
    const named = [relation.from, relation.to, ...Object.values(relation.attrs || {})];
    const part = named.map((k) => (typeof k === "string" ? ghostKey(k) : "")).find((k) => this.set.get(k));
    const refs = Object.entries(relation.attrs || {})
      .filter(([, value]) => typeof value === "string" && value.includes(":"))
      .map(([name, value]) => ` · ${name} ${this.#describe(value)}`)
      .join("");
    return el(
      "div",
      { className: "suggested-relation", role: "listitem", dataset: part ? { group: part } : {} },
      el("span", {
        className: "relation-text",
        text: `${this.#describe(relation.from)} → ${relation.label} → ${this.#describe(relation.to)}${refs} · ${confidenceText(relation.confidence)}`,
      }),
      part
        ? el("button", {
            type: "button",
            className: "small primary",
            dataset: { action: "accept-group", group: part },
            disabled: !this.#store.editable,
            title: "Accept its spans and the link at once (select one of them and press Enter)",
            text: "Accept all",
          })
        : null,
      el("button", {
        type: "button",
        className: "small",
        dataset: { action: "accept-relation" },
        disabled: !(from && to) || !this.#store.editable,
        title: from && to ? "Accept this link" : "Accept both ends first",
        text: "Link",
      }),
    );
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
    const group = next ? this.set.groupOf(next) : null;
    this.#showGroup(group ? group.parts : []);
    if (!next) return;
    const li = this.#items.get(next);
    if (li) {
      li.classList.add("selected");
      requestAnimationFrame(() => li.isConnected && li.scrollIntoView({ block: "nearest" }));
    }
    if (reveal) this.#view.reveal(next);
    const how = !this.#store.editable
      ? ""
      : group && group.parts.length > 1
        ? ` — part of a suggested ${group.relation.label} (${this.#groupText(group)}): Enter accepts it whole, a accepts this part only, x rejects it, h next`
        : " — a accepts, x rejects, h next";
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
      case "Enter": {
        // On a button or a link row, Enter is theirs; on the text (or a suggestion's row) it
        // takes the selected suggestion with its whole group (an attribution: quote, source,
        // cue and the link between them).
        if (!this.selected || relationRow) return false;
        const on = event.target instanceof Element ? event.target.closest("button, a, input, select, textarea") : null;
        if (on && !on.dataset.suggestion) return false;
        this.acceptGroup(this.selected);
        return true;
      }
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
    const client_id = newClientId();
    this.#queue.enqueue({ kind: "acceptSuggestion", key: `c:${client_id}`, client_id, suggestion: ghost.suggestion });
    this.#advanceFrom(ghost);
    const hint = this.selected ? ` Next: ${this.set.get(this.selected).label} (a / x / h).` : "";
    this.#say(`Accepted ${ghost.label} “${excerpt(ghost.text, 40)}”.${hint}`);
  }

  /** The parts of `group` in words: "Quote “…”, Source “…”, Cue “…”". */
  #groupText(group) {
    return group.parts.map((key) => this.#describe(this.set.get(key).suggestion)).join(", ");
  }

  /**
   * Accept the suggestion `key` with its group — the suggested relation naming it and every
   * suggestion that relation names — in one request (acceptGroup: accept-all limited to those
   * keys and that relation). A suggestion in no group is accepted alone.
   */
  acceptGroup(key) {
    if (!this.#canEdit()) return;
    const ghost = this.set.get(key);
    if (!ghost || this.set.pending.has(key)) return;
    const group = this.set.groupOf(key);
    if (!group) {
      this.accept(key);
      return;
    }
    const parts = group.parts.filter((k) => !this.set.pending.has(k));
    for (const k of parts) {
      this.set.pending.add(k);
      this.#items.get(k)?.classList.add("pending");
    }
    this.#view.setClass("pending", [...this.set.pending]);
    const { label, from, to } = group.relation;
    this.#queue.enqueue({
      kind: "acceptGroup",
      keys: parts.map((k) => this.set.get(k).suggestion),
      relations: [{ label, from, to }],
    });
    const text = this.#groupText(group);
    this.#advanceFrom(ghost);
    const hint = this.selected ? ` Next: ${this.set.get(this.selected).label} (Enter / a / x / h).` : "";
    this.#say(`Accepted the ${label}: ${text}.${hint}`);
  }

  acceptRelation(index) {
    if (!this.#canEdit()) return;
    const relation = this.set.relations[index];
    if (!relation) return;
    const client_id = newClientId();
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
    this.#dropRelationsOf(ghost.suggestion);
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
    const why = errorMessage(answer?.body, "no connection to the server.");
    this.#say(`Not rejected: ${why}`, { error: true });
  }

  /** The annotation was submitted or skipped: its ghosts leave the page, and the section says
   * why, as when a finished annotation is opened. */
  close() {
    for (const ghost of [...this.set.sorted]) this.#drop(ghost.key);
    this.set.relations = [];
    this.#renderRelations();
    this.#finish("off", "Suggestions are offered while the annotation is a draft.");
  }

  /** Take a ghost off the page. */
  #drop(key) {
    if (this.selected === key) this.select(null);
    if (!this.set.remove(key)) return;
    if (this.#store.batching) {
      this.#items.delete(key); // the list and the text are redrawn once the batch ends
      return;
    }
    this.#view.removeSpan(key);
    const li = this.#items.get(key);
    if (li) this.#list.remove(li);
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
    } else if ((op.kind === "acceptAll" || op.kind === "acceptGroup") && body) {
      // One change of the store and one redraw for all of them (a thousand take no time).
      this.#store.batch(() => {
        for (const span of body.spans || []) {
          this.#drop(ghostKey(`${span.label}:${span.start}:${span.end}`));
          this.#store.addSaved(span);
        }
        for (const relation of body.relations || []) this.#store.addSavedRelation(relation);
        // What the server took leaves the offer; what it refused stays, no longer pending.
        this.set.relations = this.set.relations.filter((r) => !this.#linked(r));
        if (op.kind === "acceptAll") this.set.pending.clear();
        else for (const key of op.keys) this.set.pending.delete(ghostKey(key));
      });
      const skipped = (body.skipped || []).length + (body.skipped_relations || []).length;
      if (op.kind === "acceptAll" || skipped) {
        this.#say(
          `Accepted ${body.spans?.length || 0} spans and ${body.relations?.length || 0} links${skipped ? `; ${skipped} could not be taken` : ""}.`,
          { error: Boolean(skipped) && op.kind === "acceptGroup" },
        );
      }
    }
  }

  /** Whether the suggested relation `r` is in the annotation now. */
  #linked(r) {
    const from = this.#spanKeyOf(r.from);
    const to = this.#spanKeyOf(r.to);
    return Boolean(from && to && this.#store.findRelation(r.label, from, to));
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
    } else if (op.kind === "acceptAll" || op.kind === "acceptGroup") {
      this.set.pending.clear();
      this.load();
    } else if (op.kind === "acceptRelation") {
      this.load();
    }
  }
}
