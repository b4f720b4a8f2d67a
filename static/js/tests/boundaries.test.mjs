import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { nudge, snapToWords, wordAt } from "../boundaries.js";

const samples = Object.fromEntries(
  readFileSync(new URL("../../../tests/data/unicode-samples.jsonl", import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line))
    .map((s) => [s.id, s.text]),
);

/** The UTF-16 range of `part` (its first occurrence) in `text`. */
const where = (text, part) => ({ start: text.indexOf(part), end: text.indexOf(part) + part.length });
const cut = (text, { start, end }) => text.slice(start, end);

describe("snapToWords takes whole words at both ends", () => {
  test("a drag from inside a word to inside another takes both words", () => {
    const text = samples["sample-astral"];
    const from = text.indexOf("spokesman") + 3; // "kesman …"
    const to = text.indexOf("respond") + 2; // "… re"
    assert.equal(cut(text, snapToWords(text, from, to)), "spokesman said “we will respond");
  });

  test("ends on spaces or punctuation stay; whole words stay", () => {
    const text = samples["sample-astral"];
    const quote = where(text, "we will respond");
    assert.deepEqual(snapToWords(text, quote.start, quote.end), quote);
    const withMarks = where(text, "“we will respond”");
    assert.deepEqual(snapToWords(text, withMarks.start, withMarks.end), withMarks);
  });

  test("accented letters (a base and a combining mark) are one word", () => {
    const text = samples["sample-combining-mark"];
    const start = text.indexOf("Jos") + 1;
    assert.equal(cut(text, snapToWords(text, start, start + 2)), text.slice(0, text.indexOf(" ")));
  });

  test("Chinese snaps to its dictionary words, never to the whole run", () => {
    const text = samples["sample-cjk"]; // 发言人说「我们欢迎对话」。
    const start = text.indexOf("迎"); // the second half of 欢迎
    const end = text.indexOf("对") + 1; // the first half of 对话
    assert.equal(cut(text, snapToWords(text, start, end)), "欢迎对话");
    assert.equal(cut(text, snapToWords(text, text.indexOf("言"), text.indexOf("言") + 1)), "发言");
  });

  test("emoji, flags and skin tones are not cut, and are not words", () => {
    const text = samples["sample-flag-and-skin-tone"]; // 🇺🇦 A soldier 👍🏿 told …
    assert.equal(wordAt(text, 0), null);
    // From the middle of the flag to the middle of "soldier": the whole flag, the whole word.
    assert.equal(cut(text, snapToWords(text, 1, text.indexOf("soldier") + 2)), "🇺🇦 A soldier");
    const thumb = text.indexOf("👍");
    assert.equal(cut(text, snapToWords(text, thumb, thumb + 1)), "👍🏿");
  });

  test("right-to-left text snaps in logical order", () => {
    const text = samples["sample-rtl"];
    const word = where(text, "الوزير");
    assert.deepEqual(snapToWords(text, word.start + 2, word.end - 2), word);
  });

  test("a long article costs no more per selection than a short one", () => {
    const text = `${"The minister said the talks continue. ".repeat(1400)}发言人说`;
    const began = performance.now();
    for (let i = 0; i < 200; i++) snapToWords(text, (i * 211) % 50_000, ((i * 211) % 50_000) + 30);
    assert.ok(performance.now() - began < 500);
  });
});

describe("nudge moves one boundary by a word or by a character", () => {
  const text = samples["sample-astral"]; // 😀 The spokesman said “we will respond” on Tuesday.
  const quote = where(text, "we will");

  test("by a word: the end takes the next word, skipping the space; back again", () => {
    const longer = nudge(text, quote, "end", 1, "word");
    assert.equal(cut(text, longer), "we will respond");
    assert.deepEqual(nudge(text, longer, "end", -1, "word"), quote);
  });

  test("by a word: the start takes the previous word, skipping punctuation", () => {
    assert.equal(cut(text, nudge(text, quote, "start", -1, "word")), "said “we will");
    assert.equal(cut(text, nudge(text, quote, "start", 1, "word")), "will");
  });

  test("by a word never empties the range nor leaves the text", () => {
    const one = where(text, "we");
    assert.equal(nudge(text, one, "start", 1, "word"), null);
    assert.equal(nudge(text, one, "end", -1, "word"), null);
    const last = where(text, "Tuesday.");
    assert.equal(nudge(text, last, "end", 1, "word"), null);
  });

  test("by a character: one grapheme, so the emoji's two code units go together", () => {
    const after = where(text, "The");
    assert.equal(cut(text, nudge(text, after, "start", -1)), " The");
    assert.equal(cut(text, nudge(text, nudge(text, after, "start", -1), "start", -1)), "😀 The");
    assert.equal(cut(text, nudge(text, quote, "end", 1, "character")), "we will ");
  });

  test("by a word in Chinese: one dictionary word at a time", () => {
    const cjk = samples["sample-cjk"];
    const we = where(cjk, "我们");
    assert.equal(cut(cjk, nudge(cjk, we, "end", 1, "word")), "我们欢迎");
    assert.equal(cut(cjk, nudge(cjk, we, "start", -1, "word")), "说「我们");
  });
});
