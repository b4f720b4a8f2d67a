import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  describeAgreement,
  nudge,
  reviewItems,
  runs,
  stepTo,
} from "../review_model.js";

const version = (annotators, start = 0, end = 5) => ({ annotators, start, end, spans: [1] });

describe("describeAgreement names who marked a span, in words", () => {
  test("agreed by all", () => {
    const c = { agreement: "unanimous", versions: [version(["ana", "ben"])] };
    assert.equal(describeAgreement(c, 2), "Agreed by all: ana, ben");
  });
  test("majority, with the others differing", () => {
    const c = { agreement: "majority", versions: [version(["ana", "ben"]), version(["carl"])] };
    assert.equal(describeAgreement(c, 3), "Majority (2 of 3): ana, ben; others differ");
  });
  test("one annotator", () => {
    const c = { agreement: "minority", versions: [version(["ben"])] };
    assert.equal(describeAgreement(c, 2), "Only ben");
  });
  test("disputed versions", () => {
    const c = { agreement: "minority", versions: [version(["ana"]), version(["ben"])] };
    assert.equal(describeAgreement(c, 2), "Disputed: ana vs ben");
  });
});

describe("reviewItems", () => {
  test("candidates cover their versions, and reviewer spans that resolve nothing are items", () => {
    const review = {
      candidates: [
        { key: "s9", label: "Quote", disputed: true, status: "open",
          versions: [version(["ana"], 10, 20), version(["ben"], 8, 20)] },
        { key: "s3", label: "Cue", disputed: false, status: "accepted", versions: [version(["ana", "ben"], 2, 6)] },
      ],
      gold: { spans: [
        { id: 7, label: "Cue", start: 2, end: 6, candidate: "s3" },
        { id: 8, label: "Source", start: 30, end: 35, candidate: null },
      ] },
    };
    const items = reviewItems(review);
    assert.deepEqual(items.map((i) => [i.key, i.start, i.end]), [["s3", 2, 6], ["s9", 8, 20], ["g8", 30, 35]]);
  });
});

describe("stepTo", () => {
  const items = [
    { key: "a", disputed: false },
    { key: "b", disputed: true },
    { key: "c", disputed: false },
    { key: "d", disputed: true },
  ];
  const disputed = (i) => i.disputed;
  test("from nothing selected: the first, or the last going back", () => {
    assert.equal(stepTo(items, null, 1, disputed), "b");
    assert.equal(stepTo(items, null, -1, disputed), "d");
  });
  test("next and previous wrap around", () => {
    assert.equal(stepTo(items, "b", 1, disputed), "d");
    assert.equal(stepTo(items, "d", 1, disputed), "b");
    assert.equal(stepTo(items, "b", -1, disputed), "d");
    assert.equal(stepTo(items, "a", 1), "b");
  });
  test("none matching", () => {
    assert.equal(stepTo(items, "a", 1, () => false), null);
    assert.equal(stepTo([], null, 1), null);
  });
});

describe("nudge moves one boundary by a whole grapheme", () => {
  const text = "Hi 👍🏽 there";
  // UTF-16: "Hi " 0-3, 👍🏽 3-7 (two surrogate pairs, one grapheme), " there" 7-13.
  test("over an emoji with a skin tone in one step", () => {
    assert.deepEqual(nudge(text, { start: 7, end: 13 }, "start", -1), { start: 3, end: 13 });
    assert.deepEqual(nudge(text, { start: 0, end: 3 }, "end", 1), { start: 0, end: 7 });
  });
  test("plain characters one at a time", () => {
    assert.deepEqual(nudge(text, { start: 8, end: 13 }, "end", -1), { start: 8, end: 12 });
  });
  test("never empty, never outside the text", () => {
    assert.equal(nudge(text, { start: 8, end: 9 }, "start", 1), null);
    assert.equal(nudge(text, { start: 0, end: 2 }, "start", -1), null);
    assert.equal(nudge(text, { start: 8, end: 13 }, "end", 1), null);
  });
});

describe("runs split the text at every boundary", () => {
  test("overlapping and nested ranges", () => {
    const out = runs(10, [
      { key: "a", start: 2, end: 6 },
      { key: "b", start: 4, end: 8 },
      { key: "c", start: 4, end: 5 },
    ]);
    assert.deepEqual(out, [
      { start: 0, end: 2, keys: [] },
      { start: 2, end: 4, keys: ["a"] },
      { start: 4, end: 5, keys: ["a", "b", "c"] },
      { start: 5, end: 6, keys: ["a", "b"] },
      { start: 6, end: 8, keys: ["b"] },
      { start: 8, end: 10, keys: [] },
    ]);
  });
  test("no ranges: one run; empty text: none", () => {
    assert.deepEqual(runs(3, []), [{ start: 0, end: 3, keys: [] }]);
    assert.deepEqual(runs(0, []), []);
  });
});
