import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  OffsetIndex,
  codePointLength,
  graphemeBoundaries,
  selectionToSpan,
  snapToGraphemes,
  spanToUtf16,
  trimSelection,
} from "../offsets.js";

const SAMPLES_URL = new URL("../../../tests/data/unicode-samples.jsonl", import.meta.url);

// The page only ever sees the server's canonical text: LF line endings, NFC.
function canonical(text) {
  return text.replace(/\r\n?/g, "\n").normalize("NFC");
}

const samples = readFileSync(SAMPLES_URL, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line));

// How Python slices: by code point.
function pythonSlice(text, start, end) {
  return [...text].slice(start, end).join("");
}

// Oracle: every grapheme cluster of the whole text, as UTF-16 [start, end), by segmenting
// everything. Line by line, since a cluster never spans LF (UAX #29 GB4, GB5) and V8 copies
// the whole input into every segment object, which is quadratic on a long text.
function clusters(text) {
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const result = [];
  let offset = 0;
  for (const line of text.split(/(?<=\n)/)) {
    for (const s of segmenter.segment(line)) {
      result.push([offset + s.index, offset + s.index + s.segment.length]);
    }
    offset += line.length;
  }
  return result;
}

const QUOTES = [
  ["\u201c", "\u201d"],
  ["\u00ab", "\u00bb"],
  ["\u300c", "\u300d"],
];

// UTF-16 [start, end) of the text between the first pair of quotes, quotes excluded.
function quotedRange(text) {
  for (const [open, close] of QUOTES) {
    const at = text.indexOf(open);
    if (at !== -1) {
      const end = text.indexOf(close, at + 1);
      assert.notEqual(end, -1, `unclosed ${open} in ${JSON.stringify(text)}`);
      return [at + 1, end];
    }
  }
  assert.fail(`no quoted span in ${JSON.stringify(text)}`);
}

// Deterministic pseudo-random integers in [0, n) (mulberry32), so failures reproduce.
function randomInts(seed) {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

function assertSnapsOutward(text) {
  for (const [start, end] of clusters(text)) {
    for (let inside = start + 1; inside < end; inside++) {
      assert.deepEqual(graphemeBoundaries(text, inside), { before: start, after: end });
      assert.deepEqual(
        snapToGraphemes(text, inside, text.length),
        { start, end: text.length },
        `selection starting at ${inside} inside [${start}, ${end})`,
      );
      assert.deepEqual(
        snapToGraphemes(text, 0, inside),
        { start: 0, end },
        `selection ending at ${inside} inside [${start}, ${end})`,
      );
    }
    assert.deepEqual(graphemeBoundaries(text, start), { before: start, after: start });
  }
}

test("the samples file has a sample of every kind the design lists", () => {
  const ids = new Set(samples.map((s) => s.id));
  for (const kind of ["astral", "flag", "zwj", "combining", "crlf", "nbsp", "rtl", "cjk"]) {
    assert.ok([...ids].some((id) => id.includes(kind)), `no sample for ${kind}`);
  }
});

describe("every unicode sample", () => {
  for (const { id, text: raw } of samples) {
    const text = canonical(raw);

    test(`${id}: every code point position round-trips through UTF-16`, () => {
      const index = new OffsetIndex(text);
      const codePoints = [...text];
      assert.equal(index.length, codePoints.length);
      let u16 = 0;
      for (let p = 0; p <= codePoints.length; p++) {
        assert.equal(index.toUtf16(p), u16);
        assert.equal(index.toCodePoint(index.toUtf16(p)), p);
        u16 += p < codePoints.length ? codePoints[p].length : 0;
      }
    });

    test(`${id}: the quoted span converts to the code points Python would slice`, () => {
      const index = new OffsetIndex(text);
      const [startU16, endU16] = quotedRange(text);
      const start = index.toCodePoint(startU16);
      const end = index.toCodePoint(endU16);
      assert.equal(pythonSlice(text, start, end), text.slice(startU16, endU16));

      const span = selectionToSpan(index, text, startU16, endU16);
      assert.equal(span.text, text.slice(startU16, endU16).trim());
      assert.equal(pythonSlice(text, span.start, span.end), span.text);
      const back = spanToUtf16(index, span);
      assert.equal(text.slice(back.start, back.end), span.text);
    });

    test(`${id}: a selection inside a grapheme cluster snaps outward`, () => {
      assertSnapsOutward(text);
      // The raw text too: NFC composes e + U+0301, the raw sample keeps it as two.
      assertSnapsOutward(raw);
    });
  }
});

describe("grapheme snapping", () => {
  const cases = {
    "flag 🇺🇦": "\u{1F1FA}\u{1F1E6}",
    "thumbs up with skin tone 👍🏿": "\u{1F44D}\u{1F3FF}",
    "ZWJ sequence 👨‍💻": "\u{1F468}\u200D\u{1F4BB}",
    "family ZWJ sequence": "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}",
    "e + combining acute": "e\u0301",
    "q + two combining dots (no precomposed form, survives NFC)": "q\u0323\u0307",
    "CR LF": "\r\n",
  };
  for (const [name, cluster] of Object.entries(cases)) {
    test(`a selection starting or ending inside a ${name} takes the whole cluster`, () => {
      const text = `ab ${cluster} cd`;
      const start = 3;
      const end = 3 + cluster.length;
      for (let inside = start + 1; inside < end; inside++) {
        assert.deepEqual(snapToGraphemes(text, inside, text.length), { start, end: text.length });
        assert.deepEqual(snapToGraphemes(text, 0, inside), { start: 0, end });
        assert.deepEqual(snapToGraphemes(text, inside, inside + 1), { start, end });
      }
    });
  }

  test("a selection on cluster boundaries is left alone", () => {
    const text = "ab \u{1F1FA}\u{1F1E6} cd";
    assert.deepEqual(snapToGraphemes(text, 3, 7), { start: 3, end: 7 });
    assert.deepEqual(snapToGraphemes(text, 0, text.length), { start: 0, end: text.length });
  });

  test("a caret inside a cluster stays collapsed at the cluster's start", () => {
    const text = "ab \u{1F44D}\u{1F3FF} cd";
    assert.deepEqual(snapToGraphemes(text, 5, 5), { start: 3, end: 3 });
  });

  test("flags in a long run pair up by position even far from any plain character", () => {
    // 200 flags with nothing in between: regional indicators pair from the start of the run.
    const flags = "\u{1F1FA}\u{1F1E6}\u{1F1EB}\u{1F1F7}".repeat(100);
    const text = `Flags: ${flags} end.`;
    const at = 7 + 4 * 101; // start of the 102nd flag
    assert.deepEqual(graphemeBoundaries(text, at + 2), { before: at, after: at + 4 });
    assert.deepEqual(graphemeBoundaries(text, at), { before: at, after: at });
    assertSnapsOutward(text);
  });

  test("agrees with segmenting the whole text on random mixed-script text", () => {
    // Characters whose clustering depends on their neighbours: Hangul jamo, Devanagari
    // conjuncts, Thai SARA AM (a spacing mark), Arabic number sign (prepend), regional
    // indicators, ZWJ, skin tones, variation selectors, CR LF — mixed with plain letters.
    const alphabet = [
      "a", " ", "\u00a0", "\n", "\r", "é", "\u0301", "ש", "ب", "\u0600", "中", "カ",
      "\uff9e", "\u1100", "\u1161", "\u11a8", "\uac00", "क", "\u094d", "ष", "\u093f",
      "ก", "\u0e33", "\u{1F1FA}", "\u{1F1E6}", "\u200d", "\u{1F468}", "\u{1F3FF}", "\ufe0f",
      "\u{1F44D}", "\u2764", "\u{20BB7}",
    ];
    const next = randomInts(7);
    for (let round = 0; round < 50; round++) {
      let text = "";
      for (let i = 0; i < 200; i++) text += alphabet[next(alphabet.length)];
      assertSnapsOutward(text);
    }
  });

  test("a cluster longer than any window (a letter with 300 marks) is taken whole", () => {
    const cluster = `a${"\u0301".repeat(300)}`;
    const text = `x ${cluster} y`;
    assert.deepEqual(snapToGraphemes(text, 150, 160), { start: 2, end: 2 + cluster.length });
  });
});

describe("trimming", () => {
  test("trims spaces, NBSP, narrow NBSP, tabs and newlines from both ends", () => {
    const text = "x \u00a0\t\n\u202f word\u00a0\u202f\r\n\t y";
    const at = text.indexOf("word");
    assert.deepEqual(trimSelection(text, 1, text.length - 1), { start: at, end: at + 4 });
  });

  test("a French quote keeps the word, not the NBSP inside the guillemets", () => {
    const text = canonical(samples.find((s) => s.id === "sample-nbsp-french").text);
    const index = new OffsetIndex(text);
    const [startU16, endU16] = quotedRange(text);
    assert.equal(text.slice(startU16, endU16), "\u00a0non\u00a0");
    assert.deepEqual(selectionToSpan(index, text, startU16, endU16), {
      start: startU16 + 1,
      end: endU16 - 1,
      text: "non",
    });
  });

  test("a selection of only whitespace gives null", () => {
    const text = "a \u00a0\u202f\t\r\n b";
    const index = new OffsetIndex(text);
    assert.equal(trimSelection(text, 1, text.length - 1), null);
    assert.equal(selectionToSpan(index, text, 1, text.length - 1), null);
  });

  test("an empty selection gives null", () => {
    const text = "abc";
    assert.equal(trimSelection(text, 1, 1), null);
    assert.equal(selectionToSpan(new OffsetIndex(text), text, 1, 1), null);
  });

  test("a space carrying a combining mark is text, not whitespace", () => {
    const text = "a \u20dd b";
    assert.deepEqual(trimSelection(text, 0, text.length), { start: 0, end: text.length });
    assert.deepEqual(trimSelection(text, 1, 4), { start: 1, end: 3 });
  });
});

describe("conversion", () => {
  test("a UTF-16 index between surrogate halves rounds down, or up with side: end", () => {
    const text = "a\u{1F600}b";
    const index = new OffsetIndex(text);
    assert.equal(index.length, 3);
    assert.equal(index.toCodePoint(2), 1);
    assert.equal(index.toCodePoint(2, { side: "start" }), 1);
    assert.equal(index.toCodePoint(2, { side: "end" }), 2);
    assert.equal(index.toCodePoint(3, { side: "end" }), 2);
    assert.equal(index.toCodePoint(1, { side: "end" }), 1);
    assert.throws(() => index.toCodePoint(2, { side: "middle" }), TypeError);
  });

  test("RTL text converts in logical order", () => {
    const text = canonical(samples.find((s) => s.id === "sample-rtl").text);
    const index = new OffsetIndex(text);
    const [startU16, endU16] = quotedRange(text);
    const span = selectionToSpan(index, text, startU16, endU16);
    assert.deepEqual(span, { start: startU16, end: endU16, text: "لن نتراجع" });

    const mixed = "שלום \u{1F600} عالم «\u{1F44D}\u{1F3FD} مرحبا»";
    const mixedIndex = new OffsetIndex(mixed);
    const [s, e] = quotedRange(mixed);
    const mixedSpan = selectionToSpan(mixedIndex, mixed, s + 1, e);
    assert.equal(mixedSpan.text, "\u{1F44D}\u{1F3FD} مرحبا");
    assert.equal(pythonSlice(mixed, mixedSpan.start, mixedSpan.end), mixedSpan.text);
  });

  test("CJK, including astral ideographs, converts one code point per character", () => {
    const text = "「\u{20BB7}野家」は\u{2A6D6}です";
    const index = new OffsetIndex(text);
    assert.equal(index.length, 9);
    assert.equal(text.length, 11);
    const [startU16, endU16] = quotedRange(text);
    const span = selectionToSpan(index, text, startU16, endU16);
    assert.deepEqual(span, { start: 1, end: 4, text: "\u{20BB7}野家" });
    assert.deepEqual(spanToUtf16(index, { start: 6, end: 7 }), { start: 7, end: 9 });
  });

  test("CRLF in a sample becomes one LF character in the canonical text", () => {
    const raw = samples.find((s) => s.id === "sample-crlf").text;
    const text = canonical(raw);
    assert.ok(!text.includes("\r"));
    const index = new OffsetIndex(text);
    const span = selectionToSpan(index, text, 0, text.indexOf("The") + 3);
    assert.equal(span.text, "First paragraph.\nThe");
    assert.equal(pythonSlice(text, span.start, span.end), span.text);
  });

  test("codePointLength counts like Python's len", () => {
    assert.equal(codePointLength(""), 0);
    assert.equal(codePointLength("abc"), 3);
    assert.equal(codePointLength("\u{1F1FA}\u{1F1E6}"), 2);
    assert.equal(codePointLength("\u{1F468}\u200D\u{1F4BB}"), 3);
    assert.equal(codePointLength("e\u0301"), 2);
    assert.equal(codePointLength("\ud800x"), 2); // a lone surrogate is one code point
  });

  test("an empty text has one position, zero", () => {
    const index = new OffsetIndex("");
    assert.equal(index.length, 0);
    assert.equal(index.toCodePoint(0), 0);
    assert.equal(index.toUtf16(0), 0);
  });
});

describe("bad arguments", () => {
  const text = "a\u{1F600}b";
  const index = new OffsetIndex(text);

  test("out-of-range or non-integer positions throw RangeError", () => {
    for (const bad of [-1, 5, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => index.toCodePoint(bad), RangeError, `toCodePoint(${bad})`);
    }
    for (const bad of [-1, 4, 0.5]) {
      assert.throws(() => index.toUtf16(bad), RangeError, `toUtf16(${bad})`);
    }
    assert.throws(() => graphemeBoundaries(text, 5), RangeError);
    assert.throws(() => snapToGraphemes(text, 0, 5), RangeError);
    assert.throws(() => snapToGraphemes(text, 3, 1), RangeError);
    assert.throws(() => trimSelection(text, -1, 2), RangeError);
    assert.throws(() => selectionToSpan(index, text, 0, 99), RangeError);
    assert.throws(() => spanToUtf16(index, { start: 0, end: 4 }), RangeError);
    assert.throws(() => spanToUtf16(index, { start: 2, end: 1 }), RangeError);
  });

  test("an index built from another text is refused", () => {
    assert.throws(() => selectionToSpan(index, "abc", 0, 1), /different text/);
  });

  test("a non-string text is refused", () => {
    assert.throws(() => new OffsetIndex(null), TypeError);
  });
});

test("a 50,000-character text with emoji converts 10,000 positions correctly", () => {
  const pieces = [
    "The minister said ",
    "\u{1F600} ",
    "\u{1F1FA}\u{1F1E6}",
    "\u{1F44D}\u{1F3FF}",
    " \u{1F468}\u200D\u{1F4BB} ",
    "e\u0301 ",
    "发言人说「我们欢迎对话」。",
    "\u{20BB7} ",
    "قال الوزير «لن نتراجع» ",
    "\u00a0\n",
  ];
  let text = "";
  const next = randomInts(12345);
  while (text.length < 50_000) text += pieces[next(pieces.length)];

  // Reference tables the slow way, from how Python sees the text.
  const codePoints = [...text];
  const cpToU16 = [0];
  for (const c of codePoints) cpToU16.push(cpToU16.at(-1) + c.length);

  const index = new OffsetIndex(text);
  assert.equal(index.length, codePoints.length);
  for (let i = 0; i < 10_000; i++) {
    const p = next(codePoints.length + 1);
    const u = index.toUtf16(p);
    assert.equal(u, cpToU16[p]);
    assert.equal(index.toCodePoint(u), p);
  }

  const oracle = clusters(text);
  const clusterAt = new Int32Array(text.length + 1).fill(-1);
  oracle.forEach(([start, end], i) => {
    for (let u = start + 1; u < end; u++) clusterAt[u] = i;
  });
  for (let i = 0; i < 2_000; i++) {
    const u = next(text.length + 1);
    const c = clusterAt[u];
    const expected =
      c === -1 ? { before: u, after: u } : { before: oracle[c][0], after: oracle[c][1] };
    assert.deepEqual(graphemeBoundaries(text, u), expected);
  }

  for (let i = 0; i < 1_000; i++) {
    const a = next(text.length + 1);
    const b = next(text.length + 1);
    const span = selectionToSpan(index, text, Math.min(a, b), Math.max(a, b));
    if (span !== null) {
      assert.equal(codePoints.slice(span.start, span.end).join(""), span.text);
      assert.equal(span.text, span.text.trim());
    }
  }
});

describe("lineOf", () => {
  test("numbers the LF-separated lines from 1, by code point", () => {
    const text = "😀 one\ntwo\n\nfour";
    const index = new OffsetIndex(text);
    assert.equal(index.lineOf(0), 1);
    assert.equal(index.lineOf(5), 1); // the LF ends line 1
    assert.equal(index.lineOf(6), 2); // "two" starts after 😀 + " one" + LF: 6 code points
    assert.equal(index.lineOf(10), 3);
    assert.equal(index.lineOf(11), 4);
    assert.equal(index.lineOf(index.length), 4);
    assert.throws(() => index.lineOf(index.length + 1), RangeError);
  });
});
