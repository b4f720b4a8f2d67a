// Conversion between the browser's UTF-16 positions and the server's offsets.
//
// The server stores spans as Unicode code-point offsets, half-open [start, end), into the
// canonical article text (NFC, LF line endings) — Python's text[start:end]. The DOM
// (Selection, Range, String.prototype.slice) counts UTF-16 code units, so every astral
// character (emoji, CJK Extension B, ...) counts 2 here and 1 there. This module is the only
// place that converts between the two (DESIGN.md §3).
//
// A lone surrogate counts as one code point, as it does for Python and for [...str].

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function isHighSurrogate(unit) {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit) {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function checkText(text) {
  if (typeof text !== "string") {
    throw new TypeError(`text must be a string, got ${typeof text}`);
  }
}

function checkPosition(name, value, max) {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in [0, ${max}], got ${value}`);
  }
}

function checkRange(start, end, max) {
  checkPosition("start", start, max);
  checkPosition("end", end, max);
  if (start > end) {
    throw new RangeError(`start ${start} is after end ${end}`);
  }
}

/** Number of Unicode code points in `str` (Python's len(str)). */
export function codePointLength(str) {
  checkText(str);
  let pairs = 0;
  for (let i = 0; i < str.length - 1; i++) {
    if (isHighSurrogate(str.charCodeAt(i)) && isLowSurrogate(str.charCodeAt(i + 1))) {
      pairs++;
      i++;
    }
  }
  return str.length - pairs;
}

/**
 * Lookup tables for one text, built once in O(n); every conversion is then O(1).
 *
 * `toCodePoint(u)` accepts any UTF-16 index in [0, text.length]. An index between the two
 * halves of a surrogate pair is not a character boundary: by default (`side: "start"`) it
 * rounds down to the pair's start; `side: "end"` rounds up to just after the pair — use
 * "start" for the start of a range and "end" for its end so the range only ever widens.
 * `toUtf16(c)` accepts any code-point index in [0, length]. Anything else throws RangeError.
 */
export class OffsetIndex {
  #text;
  #cpToU16;
  #u16ToCp;
  #lineStarts = null; // UTF-16 index where each line begins, made on first use

  constructor(text) {
    checkText(text);
    this.#text = text;
    const cpCount = codePointLength(text);
    this.#cpToU16 = new Uint32Array(cpCount + 1);
    this.#u16ToCp = new Uint32Array(text.length + 1);
    let cp = 0;
    for (let u = 0; u < text.length; u++) {
      this.#cpToU16[cp] = u;
      this.#u16ToCp[u] = cp;
      if (isHighSurrogate(text.charCodeAt(u)) && isLowSurrogate(text.charCodeAt(u + 1))) {
        // The position between the halves maps to the pair's start; toCodePoint adjusts.
        u++;
        this.#u16ToCp[u] = cp;
      }
      cp++;
    }
    this.#cpToU16[cp] = text.length;
    this.#u16ToCp[text.length] = cp;
  }

  /** Length of the text in code points (the server's length). */
  get length() {
    return this.#cpToU16.length - 1;
  }

  /** Length of the text in UTF-16 code units (the DOM's length). */
  get utf16Length() {
    return this.#text.length;
  }

  toCodePoint(utf16Index, { side = "start" } = {}) {
    if (side !== "start" && side !== "end") {
      throw new TypeError(`side must be "start" or "end", got ${side}`);
    }
    checkPosition("utf16Index", utf16Index, this.#text.length);
    const cp = this.#u16ToCp[utf16Index];
    if (side === "end" && this.#isInsidePair(utf16Index)) {
      return cp + 1;
    }
    return cp;
  }

  toUtf16(codePointIndex) {
    checkPosition("codePointIndex", codePointIndex, this.length);
    return this.#cpToU16[codePointIndex];
  }

  /** The 1-based line (of the text's LF-separated lines) that code point `codePointIndex` is on. */
  lineOf(codePointIndex) {
    const u = this.toUtf16(codePointIndex);
    if (!this.#lineStarts) {
      const starts = [0];
      for (let i = this.#text.indexOf("\n"); i !== -1; i = this.#text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.#lineStarts = starts;
    }
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#lineStarts[mid] <= u) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  #isInsidePair(u) {
    return (
      u > 0 &&
      u < this.#text.length &&
      isHighSurrogate(this.#text.charCodeAt(u - 1)) &&
      isLowSurrogate(this.#text.charCodeAt(u))
    );
  }
}

// A code unit that forms a grapheme cluster on its own when its neighbour is one too:
// Grapheme_Cluster_Break=Other (or Control/LF) in scripts with no Prepend, SpacingMark,
// Hangul or Indic-conjunct characters among their letters. Between two such units UAX #29
// always breaks (GB4, GB5 or GB999) whatever comes before or after, so a position there is a
// boundary we can start or stop segmenting at without knowing the rest of the text.
const STANDALONE_SCRIPTS = [
  "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Han", "Hiragana", "Katakana",
  "Common",
];
const STANDALONE = new RegExp(
  `^(?=[\\p{L}\\p{N}\\p{P}\\p{Zs}])` +
    `(?=[${STANDALONE_SCRIPTS.map((name) => `\\p{sc=${name}}`).join("")}])` +
    `\\P{Grapheme_Extend}$`,
  "u",
);

function isStandalone(unit) {
  if (unit >= 0x20 && unit <= 0x7e) return true;
  if (unit === 0x0a || unit === 0x09) return true; // LF, TAB — but not CR, which joins LF
  if (unit < 0xa0 || (unit >= 0xd800 && unit <= 0xdfff)) return false;
  return STANDALONE.test(String.fromCharCode(unit));
}

function isKnownBoundary(text, u) {
  return (
    u === 0 ||
    u === text.length ||
    (isStandalone(text.charCodeAt(u - 1)) && isStandalone(text.charCodeAt(u)))
  );
}

/**
 * The grapheme cluster boundaries around UTF-16 index `utf16Index` of `text`:
 * `{before, after}` with before <= utf16Index <= after. If utf16Index is itself a boundary,
 * before === after === utf16Index; otherwise [before, after) is the cluster it falls inside.
 *
 * Only the stretch between the nearest known boundaries on either side is segmented
 * (usually a few code units; as far as needed inside a long run of emoji or marks), so a
 * call costs the same on a 50,000-character text as on a short one.
 */
export function graphemeBoundaries(text, utf16Index) {
  checkText(text);
  checkPosition("utf16Index", utf16Index, text.length);
  if (isKnownBoundary(text, utf16Index)) {
    return { before: utf16Index, after: utf16Index };
  }
  let from = utf16Index - 1;
  while (!isKnownBoundary(text, from)) from--;
  let to = utf16Index + 1;
  while (!isKnownBoundary(text, to)) to++;
  const cluster = segmenter.segment(text.slice(from, to)).containing(utf16Index - from);
  const before = from + cluster.index;
  if (before === utf16Index) {
    return { before, after: before };
  }
  return { before, after: before + cluster.segment.length };
}

/**
 * Widen the UTF-16 selection [startU16, endU16) of `text` so it never splits a grapheme
 * cluster (flag, emoji with skin tone, ZWJ sequence, base + combining marks, CR LF).
 * A collapsed selection (a caret) stays collapsed, at the start of its cluster.
 * Returns `{start, end}` in UTF-16; throws RangeError if the range is outside the text.
 */
export function snapToGraphemes(text, startU16, endU16) {
  checkText(text);
  checkRange(startU16, endU16, text.length);
  const start = graphemeBoundaries(text, startU16).before;
  if (startU16 === endU16) {
    return { start, end: start };
  }
  return { start, end: graphemeBoundaries(text, endU16).after };
}

const WHITESPACE = /^\s+$/; // includes NBSP, U+202F, U+3000, tabs, CR and LF

function isWhitespaceUnit(unit) {
  return WHITESPACE.test(String.fromCharCode(unit));
}

/**
 * Strip whitespace (anything JS `\s` matches: spaces, NBSP U+00A0, narrow NBSP U+202F,
 * tabs, newlines, ...) from both ends of the UTF-16 selection [startU16, endU16) of `text`.
 * Whole grapheme clusters are removed: CR LF goes together, and a space carrying a combining
 * mark is kept, so a selection at cluster boundaries stays at cluster boundaries.
 * Returns `{start, end}` in UTF-16, or null if nothing but whitespace was selected.
 */
export function trimSelection(text, startU16, endU16) {
  checkText(text);
  checkRange(startU16, endU16, text.length);
  let start = startU16;
  let end = endU16;
  while (start < end && isWhitespaceUnit(text.charCodeAt(start))) {
    const after = graphemeBoundaries(text, start + 1).after;
    if (after > end || !WHITESPACE.test(text.slice(start, after))) break;
    start = after;
  }
  while (end > start && isWhitespaceUnit(text.charCodeAt(end - 1))) {
    const before = graphemeBoundaries(text, end - 1).before;
    if (before < start || !WHITESPACE.test(text.slice(before, end))) break;
    end = before;
  }
  return start < end ? { start, end } : null;
}

function checkIndexMatches(index, text) {
  if (!(index instanceof OffsetIndex)) {
    throw new TypeError("index must be an OffsetIndex");
  }
  checkText(text);
  if (index.utf16Length !== text.length) {
    throw new Error("the OffsetIndex was built from a different text");
  }
}

/**
 * Turn a DOM selection [startU16, endU16) of `text` into a span the server accepts:
 * snapped to grapheme clusters, trimmed of surrounding whitespace, in code points.
 * Returns `{start, end, text}` (text is the selected substring, which the server checks
 * against text[start:end]) or null if the selection holds no non-whitespace character.
 * `index` must have been built from `text`.
 */
export function selectionToSpan(index, text, startU16, endU16) {
  checkIndexMatches(index, text);
  const snapped = snapToGraphemes(text, startU16, endU16);
  const trimmed = trimSelection(text, snapped.start, snapped.end);
  if (trimmed === null) {
    return null;
  }
  return {
    start: index.toCodePoint(trimmed.start),
    end: index.toCodePoint(trimmed.end),
    text: text.slice(trimmed.start, trimmed.end),
  };
}

/**
 * UTF-16 positions `{start, end}` of a server span `{start, end}` (code points), for
 * building a DOM Range or slicing the page's text. Throws RangeError if out of range.
 */
export function spanToUtf16(index, span) {
  if (!(index instanceof OffsetIndex)) {
    throw new TypeError("index must be an OffsetIndex");
  }
  checkRange(span.start, span.end, index.length);
  return { start: index.toUtf16(span.start), end: index.toUtf16(span.end) };
}
