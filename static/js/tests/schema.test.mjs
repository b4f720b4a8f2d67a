import assert from "node:assert/strict";
import { test } from "node:test";

import {
  allowedRelations,
  attributeSummary,
  fitsSpanAttribute,
  hotkeys,
  keptAttributes,
  linkTargetLabels,
  missingAttributes,
  relationType,
  spanLabel,
  spanRefNames,
  whyNotLinked,
} from "../schema.js";

// The relevant part of labels/schema.py's DEFAULT_SCHEMA.
const schema = {
  span_labels: [
    { name: "Quote", hotkey: "1", attributes: [{ name: "quote_type", type: "choice", required: true, choices: ["direct", "indirect", "mixed"] }] },
    { name: "Source", hotkey: "2", attributes: [{ name: "source_type", type: "choice", required: false, choices: ["person"] }] },
    { name: "Cue", hotkey: "3", attributes: [] },
    { name: "Claim", hotkey: "4", attributes: [] },
    { name: "Stance", hotkey: "x", attributes: [{ name: "polarity", type: "choice", required: true, choices: ["favor"] }, { name: "target", type: "text", required: false }] },
  ],
  relations: [
    { name: "attributed_to", from: ["Quote", "Claim"], to: ["Source"], attributes: [{ name: "cue", type: "span", labels: ["Cue"] }] },
    { name: "relayed_by", from: ["Quote", "Claim"], to: ["Source"], attributes: [] },
    { name: "held_by", from: ["Stance"], to: ["Source"], attributes: [] },
    { name: "toward", from: ["Stance"], to: ["Quote", "Claim", "Source"], attributes: [] },
  ],
};

test("hotkeys map keys to labels and leave out reserved keys", () => {
  const map = hotkeys(schema, ["x", "l"]);
  assert.equal(map.get("1"), "Quote");
  assert.equal(map.get("3"), "Cue");
  assert.equal(map.has("x"), false);
});

test("allowed relations for a pair, in schema order", () => {
  assert.deepEqual(allowedRelations(schema, "Quote", "Source").map((r) => r.name), ["attributed_to", "relayed_by"]);
  assert.deepEqual(allowedRelations(schema, "Stance", "Quote").map((r) => r.name), ["toward"]);
  assert.deepEqual(allowedRelations(schema, "Quote", "Cue"), []);
});

test("link targets of a label", () => {
  assert.deepEqual([...linkTargetLabels(schema, "Stance")].sort(), ["Claim", "Quote", "Source"]);
  assert.equal(linkTargetLabels(schema, "Cue").size, 0);
});

test("whyNotLinked explains a refused pair and says nothing for an allowed one", () => {
  assert.equal(whyNotLinked(schema, "Quote", "Source"), null);
  const why = whyNotLinked(schema, "Quote", "Cue");
  assert.match(why, /attributed_to goes from Quote or Claim to Source/);
  assert.match(why, /not from Quote to Cue\.$/);
  assert.match(whyNotLinked(schema, "Cue", "Source"), /A Cue cannot start a relation; relations start at Quote, Claim or Stance\./);
});

test("missing required attributes", () => {
  assert.deepEqual(missingAttributes(schema, "Quote", {}).map((a) => a.name), ["quote_type"]);
  assert.deepEqual(missingAttributes(schema, "Quote", { quote_type: "direct" }), []);
  assert.deepEqual(missingAttributes(schema, "Source", {}), []);
  assert.deepEqual(missingAttributes(schema, "Nope", {}), []);
});

test("attribute summary follows schema order and skips empty values", () => {
  assert.equal(attributeSummary(schema, "Stance", { target: "EU", polarity: "favor" }), "polarity: favor · target: EU");
  assert.equal(attributeSummary(schema, "Stance", { target: "" }), "");
});

test("hotkeys without reserved keys map every label that has one (the review page's keys)", () => {
  assert.deepEqual([...hotkeys(schema)], [["1", "Quote"], ["2", "Source"], ["3", "Cue"], ["4", "Claim"], ["x", "Stance"]]);
  assert.equal(hotkeys({ span_labels: [{ name: "Quote" }] }).size, 0);
});

test("labels and relation types are found by name", () => {
  assert.equal(spanLabel(schema, "Cue").hotkey, "3");
  assert.equal(spanLabel(schema, "Nope"), null);
  assert.equal(relationType(schema, "held_by").from[0], "Stance");
  assert.equal(relationType({}, "held_by"), null);
});

test("span-valued attributes of a relation type, and which spans they may name", () => {
  assert.deepEqual(spanRefNames(schema, "attributed_to"), ["cue"]);
  assert.deepEqual(spanRefNames(schema, "toward"), []);
  assert.deepEqual(spanRefNames(schema, "nope"), []);
  const cue = relationType(schema, "attributed_to").attributes[0];
  assert.ok(fitsSpanAttribute(cue, "Cue"));
  assert.ok(!fitsSpanAttribute(cue, "Quote"));
  assert.ok(fitsSpanAttribute({ name: "any", type: "span" }, "Quote")); // no labels: any span
});

test("a change of label keeps the attributes the new label has", () => {
  assert.deepEqual(keptAttributes(schema, "Stance", { polarity: "favor", quote_type: "direct" }), { polarity: "favor" });
  assert.deepEqual(keptAttributes(schema, "Cue", { quote_type: "direct" }), {});
  assert.deepEqual(keptAttributes(schema, "Nope", { quote_type: "direct" }), {});
  assert.deepEqual(keptAttributes(schema, "Quote", undefined), {});
});
