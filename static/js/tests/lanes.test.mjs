import assert from "node:assert/strict";
import { test } from "node:test";

import { assignLanes, compareSpans, freeLane, insertionIndex, laneCount, overlaps } from "../lanes.js";

const s = (key, start, end) => ({ key, start, end });

// Brute force: no two overlapping spans share a lane.
function checkNoSharedLane(spans, lanes) {
  for (const a of spans) {
    for (const b of spans) {
      if (a !== b && overlaps(a, b)) {
        assert.notEqual(lanes.get(a.key), lanes.get(b.key), `${a.key} and ${b.key} share a lane`);
      }
    }
  }
}

// The deepest point of overlap: the fewest lanes any layout can use.
function depth(spans) {
  const points = spans.flatMap((x) => [[x.start, 1], [x.end, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of points) {
    now += d;
    max = Math.max(max, now);
  }
  return max;
}

test("a span nested in another goes one lane lower, and the outer keeps lane 0", () => {
  const quote = s("quote", 0, 100);
  const claim = s("claim", 10, 50);
  const lanes = assignLanes([claim, quote]);
  assert.equal(lanes.get("quote"), 0);
  assert.equal(lanes.get("claim"), 1);
});

test("spans that only touch share a lane (offsets are half-open)", () => {
  const lanes = assignLanes([s("a", 0, 5), s("b", 5, 9)]);
  assert.equal(lanes.get("a"), 0);
  assert.equal(lanes.get("b"), 0);
});

test("crossing spans get separate lanes; a later free lane is reused", () => {
  const spans = [s("a", 0, 10), s("b", 5, 15), s("c", 12, 20), s("d", 16, 18)];
  const lanes = assignLanes(spans);
  checkNoSharedLane(spans, lanes);
  assert.equal(laneCount(lanes), 2);
});

test("random layouts never put overlapping spans in one lane and use the minimum of lanes", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 200; round++) {
    const spans = [];
    for (let i = 0; i < 30; i++) {
      const start = Math.floor(random() * 200);
      spans.push(s(`k${i}`, start, start + 1 + Math.floor(random() * 40)));
    }
    const lanes = assignLanes(spans);
    checkNoSharedLane(spans, lanes);
    assert.equal(laneCount(lanes), depth(spans));
  }
});

test("freeLane gives an added span the lowest lane its overlapping neighbours leave free", () => {
  const spans = [s("a", 0, 10), s("b", 2, 8), s("c", 20, 30)];
  const lanes = assignLanes(spans);
  assert.equal(freeLane(s("new", 5, 6), spans, lanes), 2);
  assert.equal(freeLane(s("new", 12, 18), spans, lanes), 0);
  assert.equal(freeLane(s("new", 9, 25), spans, lanes), 1);
});

test("laneCount of nothing is 0", () => {
  assert.equal(laneCount(new Map()), 0);
});

test("insertionIndex keeps text order: by start, longer first, then key", () => {
  const sorted = [s("a", 0, 9), s("b", 0, 3), s("c", 4, 5)].sort(compareSpans);
  assert.deepEqual(sorted.map((x) => x.key), ["a", "b", "c"]);
  assert.equal(insertionIndex(sorted, s("d", 0, 5)), 1);
  assert.equal(insertionIndex(sorted, s("e", 10, 11)), 3);
  assert.equal(insertionIndex(sorted, s("0", 0, 9)), 0);
});
