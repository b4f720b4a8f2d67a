import assert from "node:assert/strict";
import { test } from "node:test";

import { freeSpot, roundedPath, spreadEnds } from "../../workspace/render.js";

test("a label where nothing is keeps its place", () => {
  assert.equal(freeSpot([], 100, 50, 40, 14, [0, 500]), 100);
  assert.equal(freeSpot([[300, 360, 43, 57]], 100, 50, 40, 14, [0, 500]), 100); // same gap, elsewhere
  assert.equal(freeSpot([[80, 120, 0, 20]], 100, 50, 40, 14, [0, 500]), 100); // another gap
});

test("a label on top of another moves along its gap to the nearest free place", () => {
  const placed = [[80, 120, 43, 57]];
  const x = freeSpot(placed, 100, 50, 40, 14, [0, 500]);
  assert.ok(x - 20 >= 120 || x + 20 <= 80, x);
  assert.ok(Math.abs(x - 100) <= 46, x);
});

test("a label stays over the text column where it can", () => {
  assert.equal(freeSpot([], 5, 50, 40, 14, [20, 480]), 20);
  assert.equal(freeSpot([], 900, 50, 40, 14, [20, 480]), 480);
});

test("ends meeting one span spread along it, and ends on one line never closer than an arrowhead", () => {
  const target = { x: 100, y: 40, w: 60, h: 18 };
  const arcs = [
    { from: { x: 300, y: 40, w: 20, h: 18 }, to: target },
    { from: { x: 10, y: 40, w: 20, h: 18 }, to: target },
    { from: { x: 200, y: 40, w: 20, h: 18 }, to: target },
  ];
  spreadEnds(arcs);
  const tips = arcs.map((arc) => arc.x2).sort((a, b) => a - b);
  for (let i = 1; i < tips.length; i++) assert.ok(tips[i] - tips[i - 1] >= 9, tips);
  assert.ok(tips.every((x) => x >= 100 && x <= 160), tips);
  // In the order of where the arcs come from: the one from the left arrives leftmost.
  assert.equal(arcs[1].x2, tips[0]);
  const short = { x: 100, y: 80, w: 8, h: 18 };
  const two = [
    { from: { x: 0, y: 80, w: 20, h: 18 }, to: short },
    { from: { x: 300, y: 80, w: 20, h: 18 }, to: short },
  ];
  spreadEnds(two);
  assert.ok(Math.abs(two[0].x2 - two[1].x2) >= 9);
});

test("a path turns its corners round and ends where it was asked to", () => {
  const d = roundedPath([[0, 20], [0, 0], [50, 0], [50, 20]]);
  assert.ok(d.startsWith("M 0 20"));
  assert.ok(d.endsWith("L 50 20"));
  assert.equal((d.match(/Q/g) || []).length, 2);
});
