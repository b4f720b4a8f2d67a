// Where a span may begin and end: at whole words (a mouse selection snaps to them, a boundary
// moves by one) or at whole characters — grapheme clusters, so that a flag, an emoji with its
// skin tone or a letter with its accent is never cut in two. The workspace and the review page
// both move boundaries with `nudge`.
//
// Positions here are the DOM's UTF-16 indexes into the page's text, as the Selection API gives
// them; offsets.js converts them to the server's code points (and is the only place that does).
// Words are Unicode's (UAX #29 through Intl.Segmenter): spaces separate them in most scripts,
// a dictionary in Chinese, Japanese and Thai; punctuation and emoji are not words.

import { graphemeBoundaries } from "./offsets.js";

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: "word" });
let cached = { text: null, segments: null };

/** The word segments of `text` (kept for the last text: the page asks about one text only). */
function segmentsOf(text) {
  if (cached.text !== text) cached = { text, segments: wordSegmenter.segment(text) };
  return cached.segments;
}

/** The segment (word, space run, punctuation) holding the character at UTF-16 index `at`. */
function segmentAt(text, at) {
  const found = segmentsOf(text).containing(at);
  return { start: found.index, end: found.index + found.segment.length, word: Boolean(found.isWordLike) };
}

/** The word holding the character at UTF-16 index `at`, as {start, end}; null for a space,
 * punctuation, an emoji, or a position outside the text. */
export function wordAt(text, at) {
  if (!Number.isInteger(at) || at < 0 || at >= text.length) return null;
  const segment = segmentAt(text, at);
  return segment.word ? segment : null;
}

/**
 * Widen the UTF-16 range [start, end) of `text` to whole words: a start inside a word moves
 * to the word's start, an end inside a word to its end. Ends between words, on spaces or
 * punctuation stay where they are; the result is also at grapheme boundaries. A collapsed
 * range stays as it is. Returns {start, end}.
 */
export function snapToWords(text, start, end) {
  if (start >= end) return { start, end };
  const first = wordAt(text, start);
  const last = wordAt(text, end - 1);
  return {
    start: first && first.start < start ? first.start : graphemeBoundaries(text, start).before,
    end: last && last.end > end ? last.end : graphemeBoundaries(text, end).after,
  };
}

/** The next place (direction 1) or the previous one (-1) from `at` where a word starts
 * (side "start") or ends (side "end"); null when there is none that way. */
function wordEdge(text, at, direction, side) {
  if (direction > 0) {
    for (let i = at; i < text.length; ) {
      const s = segmentAt(text, i);
      if (s.word && (side === "start" ? s.start > at : s.end > at)) return side === "start" ? s.start : s.end;
      i = s.end;
    }
    return null;
  }
  for (let i = at - 1; i >= 0; ) {
    const s = segmentAt(text, i);
    if (s.word && (side === "start" ? s.start < at : s.end < at)) return side === "start" ? s.start : s.end;
    i = s.start - 1;
  }
  return null;
}

/**
 * Move one edge of the UTF-16 range {start, end} of `text`: `edge` "start" or "end",
 * `direction` -1 (left) or 1 (right), `unit` "character" (one grapheme cluster) or "word"
 * (to the start — for the start edge — or the end of the next word that way, skipping spaces
 * and punctuation). Returns the new range, or null when the move would leave the text or empty
 * the range.
 */
export function nudge(text, range, edge, direction, unit = "character") {
  const at = range[edge];
  let moved;
  if (unit === "word") {
    moved = wordEdge(text, at, direction, edge);
    if (moved === null) return null;
  } else if (direction < 0) {
    if (at === 0) return null;
    moved = graphemeBoundaries(text, at - 1).before;
  } else {
    if (at === text.length) return null;
    moved = graphemeBoundaries(text, at + 1).after;
  }
  const next = { ...range, [edge]: moved };
  return next.start < next.end ? next : null;
}
