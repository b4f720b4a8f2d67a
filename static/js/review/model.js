// The review page's logic that needs no DOM: which items there are and in what order, which
// span an action applies to, how to describe who agreed, where a boundary moves to, and how
// the text splits into runs covered by the same items. Tested with `node --test static/js/tests/`.
//
// Offsets from the server are code points; everything that touches the page's text works in
// UTF-16 through offsets.js (the only place that converts).

import { compareSpans } from "../lanes.js";
import { OffsetIndex } from "../offsets.js";

/**
 * What the reviewer steps through: every candidate, and every gold span that resolves no
 * candidate (added by the reviewer). Each item is {key, kind, label, start, end, ...} with
 * code-point offsets; candidates cover the union of their versions.
 */
export function reviewItems(review) {
  const items = review.candidates.map((c) => ({
    key: c.key,
    kind: "candidate",
    label: c.label,
    start: Math.min(...c.versions.map((v) => v.start)),
    end: Math.max(...c.versions.map((v) => v.end)),
    candidate: c,
    disputed: c.disputed,
    status: c.status,
  }));
  for (const span of review.gold ? review.gold.spans : []) {
    if (span.candidate) continue;
    items.push({
      key: `g${span.id}`,
      kind: "gold",
      label: span.label,
      start: span.start,
      end: span.end,
      gold: span,
      disputed: false,
      status: "accepted",
    });
  }
  return items.sort(compareSpans);
}

/**
 * The page's state for a review the server sent: the review itself, an OffsetIndex of its
 * text (kept while the text stays), its items, and the selection carried over — a reviewer's
 * span that now resolves a candidate is selected as that candidate. Unless `keepDraft` (nudged
 * boundaries still waiting to be saved), the draft goes; a pending label always does.
 */
export function applyReview(state, review, { keepDraft = false } = {}) {
  const textChanged = !state.review || state.review.article.text !== review.article.text;
  state.review = review;
  if (textChanged) state.index = new OffsetIndex(review.article.text);
  state.items = reviewItems(review);
  if (state.selected && !currentItem(state)) {
    const id = state.selected.startsWith("g") ? Number(state.selected.slice(1)) : null;
    const candidate = review.candidates.find((c) => id !== null && c.gold_span === id);
    state.selected = candidate ? candidate.key : null;
  }
  if (state.relation && !review.relation_candidates.some((c) => c.key === state.relation)) state.relation = null;
  if (!keepDraft) state.draft = null;
  state.pending = null;
  return state;
}

/** The selected item, or null. */
export function currentItem(state) {
  return state.items.find((item) => item.key === state.selected) || null;
}

/**
 * The key of the item that shows span `spanId` of any layer on this page — a gold span of its
 * own, a candidate one of whose versions holds it, or the candidate it resolves in gold — or
 * null when the page has no such span (deleted, or in a layer not submitted). A link to one
 * span (`#span-<id>`, as the Speakers page makes) selects this item.
 */
export function itemForSpan(items, spanId) {
  for (const item of items) {
    if (item.kind === "gold" && item.gold.id === spanId) return item.key;
    if (item.kind !== "candidate") continue;
    const c = item.candidate;
    if (c.gold_span === spanId || c.versions.some((v) => v.spans.includes(spanId))) return item.key;
  }
  return null;
}

/** The span id a page address links to (`#span-<id>`), or null. */
export function linkedSpan(hash) {
  const match = /^#span-([1-9][0-9]*)$/.exec(hash || "");
  return match ? Number(match[1]) : null;
}

/** The gold span with id `id` (undefined when there is none). */
export function goldSpan(review, id) {
  return review.gold ? review.gold.spans.find((s) => s.id === id) : undefined;
}

/** Which version of a candidate is chosen: the `version`-th, or the last when it has fewer. */
export function chosenIndex(candidate, version) {
  return Math.min(version, candidate.versions.length - 1);
}

/**
 * The span the boundary keys and the label and attribute controls act on for `item`: a gold
 * item's span, the gold span that resolves a candidate, or else the candidate's chosen version.
 */
export function target(state, item) {
  if (!item) return null;
  if (item.kind === "gold") return item.gold;
  if (item.candidate.gold_span) return goldSpan(state.review, item.candidate.gold_span);
  return item.candidate.versions[chosenIndex(item.candidate, state.version)];
}

/** The text an item stands for: its gold span's, or its candidate's first version's. */
export function itemText(item) {
  return item.kind === "gold" ? item.gold.text : item.candidate.versions[0].text;
}

/** Shortest first: the innermost of items that overlap. */
export function shortestFirst(a, b) {
  return a.end - a.start - (b.end - b.start);
}

/**
 * The key of the next (step 1) or previous (step -1) item after `currentKey` that satisfies
 * `keep`, wrapping around; the first (or last) such item when nothing is selected; null if
 * none does.
 */
export function stepTo(items, currentKey, step, keep = () => true) {
  const n = items.length;
  if (n === 0) return null;
  const at = items.findIndex((item) => item.key === currentKey);
  for (let i = 1; i <= n; i++) {
    const index = at === -1 ? (step > 0 ? i - 1 : n - i) : (((at + step * i) % n) + n) % n;
    if (keep(items[index])) return items[index].key;
  }
  return null;
}

function names(list) {
  return list.join(", ");
}

/** Who marked a candidate, in words (never by colour alone). */
export function describeAgreement(candidate, layers) {
  const top = candidate.versions[0];
  if (candidate.agreement === "unanimous") {
    return `Agreed by all: ${names(top.annotators)}`;
  }
  if (candidate.agreement === "majority") {
    const rest = candidate.versions.length > 1 ? "; others differ" : "";
    return `Majority (${top.annotators.length} of ${layers}): ${names(top.annotators)}${rest}`;
  }
  if (candidate.versions.length === 1) {
    return top.annotators.length === 1
      ? `Only ${top.annotators[0]}`
      : `${names(top.annotators)} (${top.annotators.length} of ${layers})`;
  }
  return `Disputed: ${candidate.versions.map((v) => names(v.annotators)).join(" vs ")}`;
}

/** A short badge for the agreement class. */
export function agreementBadge(candidate) {
  if (candidate.agreement === "unanimous") return "all agree";
  if (candidate.agreement === "majority") return "majority";
  return candidate.versions.length > 1 ? "disputed" : "one annotator";
}

export const PROVENANCE_LABELS = {
  unanimous: "unanimous",
  majority: "majority",
  adjudicated: "adjudicated",
  reviewer: "added by reviewer",
};

/**
 * Split [0, length) at every range boundary. `ranges` are {key, start, end} in UTF-16.
 * Returns [{start, end, keys}] covering the whole text in order; `keys` are the ranges
 * covering the run, in order of their start (empty for plain text).
 */
export function runs(length, ranges) {
  const kept = ranges.filter((r) => r.start < r.end).sort((a, b) => a.start - b.start);
  const cuts = new Set([0, length]);
  for (const r of kept) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  let active = [];
  let next = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i];
    while (next < kept.length && kept[next].start <= start) active.push(kept[next++]);
    active = active.filter((r) => r.end > start);
    out.push({ start, end: points[i + 1], keys: active.map((r) => r.key) });
  }
  return out;
}
