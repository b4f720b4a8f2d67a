// The cue choices of the link dialog (attributed_to's `cue`): every span that may be the cue, in
// text order, each shown with the words around it ("said — …the Kremlin said. (line 3)"), and
// the one to choose by default: the cue nearest the pair, between its two spans or next to them.
// Pure functions over the store's spans (code-point offsets) and the article text; no DOM.

import { excerpt } from "../format.js";

/** How far (code points) outside the pair a cue may sit and still be the default. */
export const NEAR = 40;
const BEFORE = 28; // UTF-16 units of context before a cue, at most (then cut at a word)
const AFTER = 24; // and after it, unless the sentence ends sooner

/** How far span `s` lies outside [lo, hi) in code points; 0 when it is inside or overlaps. */
function outside(s, lo, hi) {
  if (s.end <= lo) return lo - s.end;
  if (s.start >= hi) return s.start - hi;
  return 0;
}

/**
 * The key of the cue to choose by default for a link from `from` to `to`: among `cues`, the
 * nearest to the pair — inside the stretch from the first span's start to the last one's end,
 * or at most NEAR code points outside it with no line break in between; of two as near, the
 * one closer to `to` (a cue verb goes with its source). null when none is that near.
 */
export function nearestCue(cues, from, to, text, index) {
  const lo = Math.min(from.start, to.start);
  const hi = Math.max(from.end, to.end);
  let best = null;
  let bestRank = null;
  for (const cue of cues) {
    if (cue.key === from.key || cue.key === to.key) continue;
    const away = outside(cue, lo, hi);
    if (away > NEAR) continue;
    const gap = cue.end <= lo ? [cue.end, lo] : cue.start >= hi ? [hi, cue.start] : null;
    if (gap && text.slice(index.toUtf16(gap[0]), index.toUtf16(gap[1])).includes("\n")) continue;
    const rank = [away, outside(cue, to.start, to.end), cue.start];
    if (bestRank === null || compare(rank, bestRank) < 0) [best, bestRank] = [cue.key, rank];
  }
  return best;
}

function compare(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * The words around span `s` on its line: up to BEFORE units before it, cut at a word (with "…"
 * when cut), the span, and what follows up to the end of its sentence or AFTER units. White
 * space folded; cut only at white space, so no character loses its accent.
 */
export function cueContext(s, text, index) {
  const start = index.toUtf16(s.start);
  const end = index.toUtf16(s.end);
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  let lineEnd = text.indexOf("\n", end);
  if (lineEnd === -1) lineEnd = text.length;
  let from = Math.max(lineStart, start - BEFORE);
  let lead = "";
  if (from > lineStart) {
    const space = text.slice(from, start).search(/\s/);
    from = space === -1 ? start : from + space + 1;
    lead = "…";
  }
  const rest = text.slice(end, Math.min(lineEnd, end + AFTER + 1));
  const stop = rest.search(/[.!?…](?=\s|$|["”»’)])/);
  let after;
  let tail = "";
  if (stop !== -1) {
    after = rest.slice(0, stop + 1);
  } else if (end + rest.length < lineEnd) {
    const space = rest.lastIndexOf(" ");
    after = space === -1 ? "" : rest.slice(0, space);
    tail = "…";
  } else {
    after = rest;
  }
  return `${lead}${text.slice(from, start)}${text.slice(start, end)}${after}${tail}`.replace(/\s+/g, " ").trim();
}

/**
 * The options of a cue select: `cues` in text order as [key, shown], shown as
 * "said — …the Kremlin said. (line 3)".
 */
export function cueOptions(cues, text, index) {
  return [...cues]
    .sort((a, b) => a.start - b.start || b.end - a.end)
    .map((s) => [s.key, `${excerpt(s.text, 24)} — ${cueContext(s, text, index)} (line ${index.lineOf(s.start)})`]);
}
