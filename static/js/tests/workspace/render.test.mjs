import assert from "node:assert/strict";
import { test } from "node:test";

import { freeLine } from "../../workspace/render.js";

test("a label where nothing is keeps its place", () => {
  assert.equal(freeLine([], 10, 60, 100, 12), 100);
  assert.equal(freeLine([[200, 260, 100]], 10, 60, 100, 12), 100); // same line, elsewhere
});

test("a label on top of another moves to the nearest free line, above first", () => {
  assert.equal(freeLine([[0, 50, 100]], 10, 60, 100, 12), 88);
  assert.equal(freeLine([[0, 50, 100], [0, 50, 88]], 10, 60, 100, 12), 112);
  assert.equal(freeLine([[0, 50, 100], [0, 50, 88], [0, 50, 112]], 10, 60, 100, 12), 76);
});

test("a label is not moved past the top of the drawing", () => {
  assert.equal(freeLine([[0, 50, 8]], 10, 60, 8, 12), 20);
  assert.equal(freeLine([], 10, 60, 4, 12), 4); // where its arc puts it, if nothing is there
});
