import assert from "node:assert/strict";
import { test } from "node:test";

import { errorPlace, fromSchema, move, newAttribute, newLabel, toPayload } from "../settings/schema_model.js";

const schema = {
  id: "news",
  version: 1,
  allow_overlap: true,
  span_labels: [
    { name: "Quote", color: "#2563eb", hotkey: "1", description: "", attributes: [{ name: "quote_type", type: "choice", required: true, choices: ["direct", "indirect"] }] },
    { name: "Source", color: "#0d9488", hotkey: "2", description: "", attributes: [] },
    { name: "Cue", color: "#475569", hotkey: null, description: "", attributes: [] },
  ],
  relations: [
    { name: "attributed_to", from: ["Quote"], to: ["Source"], description: "", attributes: [{ name: "cue", type: "span", required: false, labels: ["Cue"] }] },
  ],
};

test("an unchanged draft gives back the schema, and every row names itself as it was", () => {
  const { schema: out, was } = toPayload(fromSchema(schema));
  assert.deepEqual(out, schema);
  assert.deepEqual(was, { span_labels: ["Quote", "Source", "Cue"], relations: ["attributed_to"] });
});

test("a renamed label keeps its references and says what it was", () => {
  const draft = fromSchema(schema);
  draft.labels[0].name = " Citation ";
  draft.labels[2].name = "Verb";
  const { schema: out, was } = toPayload(draft);
  assert.equal(out.span_labels[0].name, "Citation");
  assert.deepEqual(out.relations[0].from, ["Citation"]);
  assert.deepEqual(out.relations[0].attributes[0].labels, ["Verb"]);
  assert.deepEqual(was.span_labels, ["Quote", "Source", "Cue"]);
});

test("a removed label leaves the references to it, and a new one has no past", () => {
  const draft = fromSchema(schema);
  draft.labels.splice(2, 1);
  draft.labels.push(newLabel(draft));
  const { schema: out, was } = toPayload(draft);
  assert.deepEqual(out.relations[0].attributes[0].labels, []);
  assert.deepEqual(was.span_labels, ["Quote", "Source", null]);
  // The first digit and colour nobody uses.
  assert.equal(out.span_labels[2].hotkey, "3");
  assert.equal(out.span_labels[2].color, "#475569"); // the default schema's Cue colour
});

test("attribute fields become what their type takes", () => {
  const draft = fromSchema(schema);
  const attribute = newAttribute();
  Object.assign(attribute, { name: "kind", choices: " protest \n\nstrike\n" });
  draft.labels[1].attributes.push(attribute);
  const text = newAttribute();
  Object.assign(text, { name: "note", type: "text", max_length: "lots" });
  draft.labels[1].attributes.push(text);
  const out = toPayload(draft).schema.span_labels[1].attributes;
  assert.deepEqual(out[0], { name: "kind", type: "choice", required: false, choices: ["protest", "strike"] });
  assert.deepEqual(out[1], { name: "note", type: "text", required: false, max_length: "lots" });
});

test("rows move up and down and stay put at the ends", () => {
  const list = ["a", "b", "c"];
  assert.equal(move(list, 0, -1), false);
  assert.equal(move(list, 0, 1), true);
  assert.deepEqual(list, ["b", "a", "c"]);
  assert.equal(move(list, 2, 1), false);
});

test("an error is shown at its field or the nearest one the editor shows", () => {
  const shown = new Set(["span_labels[2].hotkey", "span_labels[0].attributes[0].choices", "span_labels", "relations[0].to"]);
  assert.equal(errorPlace("span_labels[2].hotkey", shown), "span_labels[2].hotkey");
  assert.equal(errorPlace("span_labels[0].attributes[0].choices[1]", shown), "span_labels[0].attributes[0].choices");
  assert.equal(errorPlace("relations[0].to[0]", shown), "relations[0].to");
  assert.equal(errorPlace("span_labels[7].name", shown), "span_labels");
  assert.equal(errorPlace("consent", shown), "");
  assert.equal(errorPlace("", shown), "");
});
