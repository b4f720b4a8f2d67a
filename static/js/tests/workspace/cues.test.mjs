import assert from "node:assert/strict";
import { test } from "node:test";

import { OffsetIndex } from "../../offsets.js";
import { cueContext, cueOptions, nearestCue } from "../../workspace/cues.js";

const TEXT =
  "Moscow says a lot. “Interference is unacceptable,” the Kremlin said. Macron said nothing.\n" +
  "Next day, officials said more.";
const index = new OffsetIndex(TEXT);

function span(key, label, fragment, nth = 0) {
  let start = -1;
  for (let i = 0; i <= nth; i++) start = TEXT.indexOf(fragment, start + 1);
  return { key, label, start, end: start + fragment.length, text: fragment };
}

const quote = span("q", "Quote", "Interference is unacceptable");
const source = span("s", "Source", "the Kremlin");
const says = span("c0", "Cue", "says");
const said = span("c1", "Cue", "said");
const macronSaid = span("c2", "Cue", "said", 1);
const nextDay = span("c3", "Cue", "said", 2);

test("the default cue is the one next to the pair, not the first or the closest to the quote", () => {
  assert.equal(nearestCue([says, macronSaid, said, nextDay], quote, source, TEXT, index), "c1");
});

test("a cue between the two spans wins over one next to them", () => {
  const between = span("b", "Cue", "unacceptable");
  const from = span("q", "Quote", "Interference");
  assert.equal(nearestCue([said, between], from, source, TEXT, index), "b");
});

test("no default when every cue is far away or on another line", () => {
  assert.equal(nearestCue([nextDay], quote, source, TEXT, index), null);
  assert.equal(nearestCue([], quote, source, TEXT, index), null);
});

test("a choice shows the words around its cue and ends with the sentence", () => {
  assert.equal(cueContext(said, TEXT, index), "…unacceptable,” the Kremlin said.");
  assert.equal(cueContext(says, TEXT, index), "Moscow says a lot.");
});

test("choices come in text order with their line", () => {
  const shown = cueOptions([nextDay, said, says], TEXT, index).map(([key, text]) => [key, text]);
  assert.deepEqual(shown, [
    ["c0", "says — Moscow says a lot. (line 1)"],
    ["c1", "said — …unacceptable,” the Kremlin said. (line 1)"],
    ["c3", "said — Next day, officials said more. (line 2)"],
  ]);
});

test("context is cut at white space, never inside a word or a character", () => {
  const text = "Ein sehr langer Satz mit vielen Wörtern, dann sagte die Ministerin 👩🏽‍⚕️ sie gehe weiter ohne Punkt am Ende";
  const idx = new OffsetIndex(text);
  const at = [...text].join("").indexOf("sagte");
  const cp = [...text.slice(0, at)].length;
  const cue = { key: "x", label: "Cue", start: cp, end: cp + 5, text: "sagte" };
  const context = cueContext(cue, text, idx);
  assert.match(context, /^…\S/);
  assert.ok(context.includes("sagte die Ministerin 👩🏽‍⚕️"));
  assert.ok(context.endsWith("…"));
});
