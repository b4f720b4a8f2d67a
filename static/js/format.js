// Short texts the pages show: excerpts of article text, a span named with its label, counted
// nouns, attribute values, confidences. Pure functions: no DOM.

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

// What can join a character to its neighbour in one grapheme cluster (UAX #29): marks, ZWNJ
// and ZWJ, prepended concatenation marks, Thai and Lao SARA AM, Hangul jamo and syllables, the
// halfwidth sound marks, and anything outside the BMP (emoji, modifiers, flags) or a lone
// surrogate. Where none of these occurs, every UTF-16 unit is a cluster of its own and
// segmenting can be skipped: it costs tens of microseconds a call, and every span's bar and
// list row asks for an excerpt.
const JOINING =
  /[\p{M}\u200c\u200d\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u0d4e\u0e33\u0eb3\u1100-\u11ff\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff\ud800-\udfff\uff9e\uff9f]|[^\0-\uffff]/u;

/**
 * A short, single-line version of a text for titles and lists: white space folded to single
 * spaces and, when that is longer than `max` characters (grapheme clusters: what a reader
 * counts), the first max - 1 of them and "…". Never cuts an emoji, a flag or a letter from its
 * accent.
 */
export function excerpt(text, max = 80) {
  const flat = text.replace(/\s+/g, " ");
  if (flat.length <= max) return flat; // no more clusters than UTF-16 units
  if (!JOINING.test(flat.slice(0, max + 1))) return `${flat.slice(0, max - 1)}…`;
  // Segment a prefix only (Intl.Segmenter copies its whole input). A boundary depends on the
  // text before it and the one character after it, so every cluster of the prefix but its
  // last is a cluster of the whole text.
  for (let size = 4 * max + 16; ; size *= 2) {
    let count = 0;
    let cut = 0;
    for (const { index } of graphemes.segment(flat.slice(0, size))) {
      if (count === max - 1) cut = index;
      if (count === max) return `${flat.slice(0, cut)}…`;
      count += 1;
    }
    if (size >= flat.length) return flat;
  }
}

/** The last `n` grapheme clusters of `flat` (all of it when it has no more). */
function lastClusters(flat, n) {
  if (!JOINING.test(flat.slice(-(n + 1)))) return flat.slice(-n);
  // Segment a suffix only; its first cluster may be the end of a longer one, so it is used only
  // when the suffix is the whole text.
  for (let size = 4 * n + 16; ; size *= 2) {
    const whole = size >= flat.length;
    const parts = Array.from(graphemes.segment(whole ? flat : flat.slice(-size)), (s) => s.segment);
    if (whole || parts.length > n) return parts.slice(-n).join("");
  }
}

/**
 * `excerpt`, but a text too long for `max` clusters keeps its last `tail` ones too ("He said
 * that the …on Monday."): two spans that start alike still read differently in a list. Never
 * cuts a grapheme cluster.
 */
export function excerptEnds(text, max = 70, tail = 24) {
  const flat = text.replace(/\s+/g, " ");
  if (excerpt(flat, max) === flat) return flat;
  return `${excerpt(flat, max - tail)}${lastClusters(flat, tail)}`;
}

/** A span named for messages and lists: its label and an excerpt of its text. */
export function quoted(span, max = 50) {
  return `${span.label} “${excerpt(span.text, max)}”`;
}

/** "1 change", "3 changes". */
export function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "quote_type: direct, target: EU" — the attributes set, in their order; "no attributes". */
export function attributesText(attrs, shown = (name, value) => value) {
  const parts = Object.entries(attrs || {}).filter(([, value]) => value !== null && value !== "");
  return parts.length ? parts.map(([name, value]) => `${name}: ${shown(name, value)}`).join(", ") : "no attributes";
}

/** "85%" for a confidence of 0.85; "—" when there is none. */
export function confidenceText(confidence) {
  return typeof confidence === "number" ? `${Math.round(confidence * 100)}%` : "—";
}
