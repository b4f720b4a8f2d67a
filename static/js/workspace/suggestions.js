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
//   acceptRelation, acceptAll, acceptGroup in sync.js), so it carries the version and waits its turn; the
//   span appears in the store when the server answers with it (origin "suggested"). Rejecting
//   is a separate call: it does not change the annotation's version.
// - A suggested relation can be accepted once both its ends are spans; "accept all" takes every
//   span and then every relation whose ends are spans.
// - A suggested relation with the suggestions it names (its two ends and its span-valued
//   attributes: an attribution's quote, source and cue) is a group, shown and accepted as one
//   (`groupOf`; one acceptGroup request), while each part can still be taken or refused alone.
//
// This module is the plain logic (SuggestionSet, node --test); suggestions_ui.js wires it to
// the page.

import { compareSpans } from "../lanes.js";

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

/** The suggestions still on offer, in text order. */
export class SuggestionSet {
  #ghosts = []; // span-like objects for DocView, in compareSpans order
  #byKey = new Map(); // ghost key → ghost
  relations = []; // replaced, never changed in place (relationsNaming's index relies on it)
  #naming = null; // suggestion key → indices in `relations` naming it, for #namingFor
  #namingFor = null;
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
        sources: [...(s.sources || (s.source ? [s.source] : []))],
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

  /**
   * The group the suggestion with ghost key `key` belongs to: the suggested relation naming it
   * (as an end, or as a span-valued attribute such as attributed_to's cue) — the surest one
   * when several do — with `parts`, the ghost keys of the suggestions that relation names,
   * from, to and the attributes in that order (ends already in the annotation are not parts).
   * Null when no suggested relation names it.
   */
  groupOf(key) {
    const ghost = this.#byKey.get(key);
    if (!ghost) return null;
    let best = null;
    for (const relation of this.relations) {
      const named = [relation.from, relation.to, ...Object.values(relation.attrs || {})];
      if (!named.includes(ghost.suggestion)) continue;
      if (best && (best.confidence ?? -1) >= (relation.confidence ?? -1)) continue;
      best = relation;
    }
    if (!best) return null;
    const named = [best.from, best.to, ...Object.values(best.attrs || {})].filter((v) => typeof v === "string");
    const parts = [...new Set(named.map(ghostKey))].filter((k) => this.#byKey.has(k));
    return { relation: best, parts };
  }

  /**
   * Indices in `relations` of the suggested relations naming the suggestion key `suggestion`
   * (as an end or as a span-valued attribute): the ones whose row changes when that
   * suggestion, or a span on its label and offsets, comes or goes.
   */
  relationsNaming(suggestion) {
    if (this.#namingFor !== this.relations) {
      this.#naming = new Map();
      this.relations.forEach((relation, index) => {
        for (const key of new Set([relation.from, relation.to, ...Object.values(relation.attrs || {})])) {
          if (typeof key !== "string") continue;
          if (!this.#naming.has(key)) this.#naming.set(key, []);
          this.#naming.get(key).push(index);
        }
      });
      this.#namingFor = this.relations;
    }
    return this.#naming.get(suggestion) || [];
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
