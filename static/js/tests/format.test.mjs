import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { attributesText, confidenceText, excerpt, excerptEnds, plural, quoted } from "../format.js";

const SAMPLES_URL = new URL("../../../tests/data/unicode-samples.jsonl", import.meta.url);
const samples = readFileSync(SAMPLES_URL, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line));

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const clusters = (text) => [...segmenter.segment(text)].map((s) => s.segment);

describe("excerpt", () => {
  test("folds white space and keeps a short text whole", () => {
    assert.equal(excerpt("He  said\n“no”.\t"), "He said “no”. ");
    assert.equal(excerpt("abcde", 5), "abcde");
  });

  test("cuts a long text to max - 1 characters and an ellipsis", () => {
    assert.equal(excerpt("abcdefghij", 5), "abcd…");
    assert.equal(excerpt("abcdef", 1), "…");
    assert.equal(excerpt("x".repeat(200)), `${"x".repeat(79)}…`);
  });

  test("counts an emoji as one character and never cuts one in half", () => {
    const ten = "😀".repeat(10); // 20 UTF-16 units
    assert.equal(excerpt(ten, 10), ten); // ten characters fit: nothing is cut
    assert.equal(excerpt(ten, 5), "😀😀😀😀…");
    assert.equal(excerpt(`a${ten}`, 3), "a😀…");
  });

  test("keeps ZWJ sequences and skin tones whole", () => {
    const coder = "👨‍💻"; // man, ZWJ, laptop
    assert.equal(excerpt(coder.repeat(6), 4), `${coder.repeat(3)}…`);
    assert.equal(excerpt(`The ${coder} said`, 6), `The ${coder}…`);
    const thumbs = "👍🏿";
    assert.equal(excerpt(thumbs.repeat(5), 3), `${thumbs.repeat(2)}…`);
  });

  test("keeps flags whole", () => {
    const flags = "🇺🇦🇫🇷🇩🇪🇯🇵";
    assert.equal(excerpt(flags, 4), flags);
    assert.equal(excerpt(flags, 3), "🇺🇦🇫🇷…");
  });

  test("keeps a letter with its combining marks", () => {
    const e = "e\u0301"; // é, decomposed
    assert.equal(excerpt(e.repeat(10), 5), `${e.repeat(4)}…`);
    assert.equal(excerpt(`abc${e}fgh`, 5), `abc${e}…`); // the mark on the last kept letter
    assert.equal(excerpt(`abcd${e}fgh`, 5), "abcd…");
    assert.equal(excerpt(`abcdef\u0301gh`, 5), "abcd…"); // the mark just past the cut
    assert.equal(excerpt("Jose\u0301 Borrell", 4), "Jos…");
  });

  test("finds the cut when the first characters are very long", () => {
    const heavy = `e${"\u0301".repeat(100)}`; // one character, 101 UTF-16 units
    assert.equal(excerpt(heavy.repeat(5), 3), `${heavy.repeat(2)}…`);
    assert.equal(excerpt(heavy.repeat(3), 3), heavy.repeat(3));
  });

  test("on random mixes of scripts, emoji and marks, the cut is where segmenting puts it", () => {
    const pieces = ["a", "Z", " ", "\n", "é", "e", "\u0301", "😀", "\u200d", "👨", "💻", "🇺", "🇦", "🏿", "\u1100", "\u1161",
      "한", "ق", "\u064e", "\u0600", "ำ", "\u0e33", "ก", "中", "«", "—", "\ufe0f", "\u200c"];
    let state = 7;
    const next = (n) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    for (let round = 0; round < 3000; round++) {
      const text = Array.from({ length: 1 + next(40) }, () => pieces[next(pieces.length)]).join("");
      const whole = clusters(text.replace(/\s+/g, " "));
      const max = 1 + next(20);
      const expected = whole.length <= max ? whole.join("") : `${whole.slice(0, max - 1).join("")}…`;
      assert.equal(excerpt(text, max), expected, JSON.stringify([text, max]));
    }
  });

  test("on every sample text, a cut ends at a character boundary and keeps max - 1 characters", () => {
    for (const sample of samples) {
      for (const text of [sample.text, sample.text.normalize("NFC")]) {
        const flat = text.replace(/\s+/g, " ");
        const whole = clusters(flat);
        for (let max = 1; max <= whole.length + 2; max++) {
          const shown = excerpt(text, max);
          if (whole.length <= max) {
            assert.equal(shown, flat, `${sample.id} max ${max}`);
          } else {
            assert.equal(shown, `${whole.slice(0, max - 1).join("")}…`, `${sample.id} max ${max}`);
          }
        }
      }
    }
  });
});

test("quoted names a span by its label and an excerpt of its text", () => {
  assert.equal(quoted({ label: "Quote", text: "we will\nrespond" }), "Quote “we will respond”");
  assert.equal(quoted({ label: "Claim", text: "abcdefgh" }, 4), "Claim “abc…”");
});

test("plural counts a noun", () => {
  assert.equal(plural(1, "change"), "1 change");
  assert.equal(plural(0, "change"), "0 changes");
  assert.equal(plural(3, "unsaved change"), "3 unsaved changes");
});

test("attributesText lists the values set, in order", () => {
  assert.equal(attributesText({ quote_type: "direct", target: "", cue: null, named: true }), "quote_type: direct, named: true");
  assert.equal(attributesText({}), "no attributes");
  assert.equal(attributesText(undefined), "no attributes");
});

test("confidence is shown as a percentage, a missing one as a dash", () => {
  assert.equal(confidenceText(0.856), "86%");
  assert.equal(confidenceText(null), "—");
});

describe("excerptEnds", () => {
  test("keeps a short text whole and a long one's start and end", () => {
    assert.equal(excerptEnds("He said “no”.", 70), "He said “no”.");
    const long = `The minister said that ${"x".repeat(100)} on Monday.`;
    const shown = excerptEnds(long, 40, 12);
    assert.equal(shown, `The minister said that xxxx…${"x".repeat(1)} on Monday.`);
    assert.equal(clusters(shown).length, 40); // max, the ellipsis included, as excerpt
  });

  test("two spans that start alike read differently", () => {
    const start = "The minister said that the talks ".repeat(3);
    assert.notEqual(excerptEnds(`${start}would resume.`, 50), excerptEnds(`${start}had failed.`, 50));
  });

  test("never cuts a grapheme cluster at either end", () => {
    const family = "👨‍👩‍👧‍👦"; // 11 UTF-16 units, one cluster
    const flag = "🇺🇦";
    const text = `${family.repeat(30)} and ${flag.repeat(30)}`;
    const shown = excerptEnds(text, 20, 8);
    for (const part of clusters(shown)) {
      assert.ok(clusters(text).includes(part) || part === "…", `cut cluster ${JSON.stringify(part)}`);
    }
    assert.ok(shown.endsWith(flag.repeat(8)));
    for (const sample of samples) {
      const out = excerptEnds(sample.text, 12, 5);
      const whole = new Set(clusters(sample.text.replace(/\s+/g, " ")));
      for (const part of clusters(out)) assert.ok(whole.has(part) || part === "…", sample.id ?? sample.text);
    }
  });
});
