import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  agreementBadge,
  applyReview,
  chosenIndex,
  currentItem,
  describeAgreement,
  goldSpan,
  itemForSpan,
  itemText,
  linkedSpan,
  reviewItems,
  runs,
  shortestFirst,
  stepTo,
  target,
} from "../../review/model.js";
import { nudge } from "../../boundaries.js";

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

describe("the state of the page for a review", () => {
  const claim = (key, goldSpan = null) => ({
    key,
    label: "Claim",
    disputed: true,
    status: "open",
    gold_span: goldSpan,
    versions: [
      { ...version(["ana"], 0, 5), text: "Putin", attrs: {}, label: "Claim", spans: [11] },
      { ...version(["ben"], 0, 9), text: "Putin dis", attrs: {}, label: "Claim", spans: [12] },
    ],
  });
  const review = (candidates, goldSpans = [], version = 1) => ({
    version,
    article: { text: "Putin disagreed." },
    candidates,
    gold: { spans: goldSpans },
  });
  const fresh = () => ({ review: null, index: null, items: [], selected: null, version: 0, draft: null, pending: null });

  test("applyReview keeps the index while the text stays and drops a pending label", () => {
    const state = applyReview(fresh(), review([claim("s1")]));
    const index = state.index;
    assert.equal(index.length, 16);
    assert.deepEqual(state.items.map((i) => i.key), ["s1"]);
    state.pending = { label: "Quote", attrs: {} };
    applyReview(state, review([claim("s1")], [], 2));
    assert.equal(state.index, index);
    assert.equal(state.pending, null);
    assert.equal(state.review.version, 2);
  });

  test("a draft survives only while its save is waiting", () => {
    const state = applyReview(fresh(), review([claim("s1")]));
    state.draft = { start: 1, end: 5 };
    applyReview(state, review([claim("s1")]), { keepDraft: true });
    assert.deepEqual(state.draft, { start: 1, end: 5 });
    applyReview(state, review([claim("s1")]));
    assert.equal(state.draft, null);
  });

  test("a selected reviewer's span that now resolves a candidate stays selected as the candidate", () => {
    const gold = { id: 7, label: "Claim", start: 0, end: 5, text: "Putin", candidate: null };
    const state = applyReview(fresh(), review([claim("s1")], [gold]));
    state.selected = "g7";
    assert.equal(currentItem(state).gold, gold);
    applyReview(state, review([claim("s1", 7)], [{ ...gold, candidate: "s1" }]));
    assert.equal(state.selected, "s1");
    applyReview(state, review([]));
    assert.equal(state.selected, null);
    assert.equal(currentItem(state), null);
  });

  test("target: the gold span, the span resolving a candidate, else the chosen version", () => {
    const gold = { id: 7, label: "Claim", start: 0, end: 5, text: "Putin", candidate: "s2" };
    const state = applyReview(fresh(), review([claim("s1"), claim("s2", 7)], [gold]));
    const [first, second] = state.items;
    assert.equal(target(state, first).spans[0], 11);
    state.version = 1;
    assert.equal(target(state, first).spans[0], 12);
    state.version = 5; // more than there are: the last
    assert.equal(target(state, first).spans[0], 12);
    assert.equal(chosenIndex(first.candidate, 5), 1);
    assert.equal(target(state, second), gold);
    assert.equal(goldSpan(state.review, 7), gold);
    assert.equal(goldSpan({ gold: null }, 7), undefined);
    assert.equal(target(state, null), null);
  });

  test("an item's text, and the innermost of overlapping items first", () => {
    const state = applyReview(fresh(), review([claim("s1")], [{ id: 8, label: "Cue", start: 6, end: 9, text: "dis" }]));
    assert.deepEqual(state.items.map(itemText), ["Putin", "dis"]);
    const items = [{ start: 0, end: 9 }, { start: 2, end: 4 }, { start: 1, end: 6 }];
    assert.deepEqual(items.sort(shortestFirst).map((i) => i.end - i.start), [2, 5, 9]);
  });

  test("agreement badges", () => {
    assert.equal(agreementBadge({ agreement: "unanimous", versions: [] }), "all agree");
    assert.equal(agreementBadge({ agreement: "minority", versions: [version(["ana"])] }), "one annotator");
    assert.equal(agreementBadge({ agreement: "minority", versions: [version(["ana"]), version(["ben"])] }), "disputed");
  });
});

describe("a link to one span (#span-<id>) finds the item that shows it", () => {
  const review = {
    candidates: [
      { key: "c1", label: "Quote", versions: [{ start: 0, end: 5, spans: [11, 12] }, { start: 0, end: 6, spans: [13] }], gold_span: null },
      { key: "c2", label: "Source", versions: [{ start: 8, end: 10, spans: [21] }], gold_span: 30 },
    ],
    gold: { spans: [{ id: 30, label: "Source", start: 8, end: 10, candidate: "c2" }, { id: 31, label: "Cue", start: 12, end: 14, candidate: null }] },
  };
  const items = reviewItems(review);
  test("any version's span, the gold span resolving a candidate, a reviewer's own gold span", () => {
    assert.equal(itemForSpan(items, 13), "c1");
    assert.equal(itemForSpan(items, 11), "c1");
    assert.equal(itemForSpan(items, 30), "c2");
    assert.equal(itemForSpan(items, 31), "g31");
  });
  test("a span the page does not hold is null", () => {
    assert.equal(itemForSpan(items, 99), null);
  });
  test("only #span-<positive number> is a link to a span", () => {
    assert.equal(linkedSpan("#span-42"), 42);
    assert.equal(linkedSpan("#span-0"), null);
    assert.equal(linkedSpan("#span-4x"), null);
    assert.equal(linkedSpan(""), null);
    assert.equal(linkedSpan("#help"), null);
  });
});
