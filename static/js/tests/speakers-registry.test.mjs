// The Speaker field's reading of typed text: names and aliases, case and diacritics aside, and
// the type-ahead's list of the speakers a text may mean.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fold, indexSpeakers, matchSpeakers } from "../speakers-registry.js";

test("fold drops case, diacritics and extra spaces", () => {
  assert.equal(fold("  Mácron "), "macron");
  assert.equal(fold("Vladimir   PUTIN"), "vladimir putin");
  assert.equal(fold("Sýkora"), "sykora");
});

test("an alias or the name finds the speaker; a shared form finds every speaker it names", () => {
  const { byId, byForm } = indexSpeakers([
    { id: 1, name: "Vladimir Putin", aliases: ["Poutine"] },
    { id: 2, name: "Emmanuel Macron", aliases: ["Mácron", "Poutine"] },
  ]);
  assert.deepEqual(byForm.get(fold("poutine")), [1, 2]);
  assert.deepEqual(byForm.get(fold("MACRON")), [2]);
  assert.deepEqual(byForm.get(fold("emmanuel macron")), [2]);
  assert.equal(byForm.get(fold("Putin")), undefined);
  assert.equal(byId.get(2).name, "Emmanuel Macron");
});

const desk = indexSpeakers([
  { id: 1, name: "Emmanuel Macron", kind: "person", aliases: ["Macron"], description: "President of France" },
  { id: 2, name: "Brigitte Macron", kind: "person", aliases: ["Macron", "Mme Macron"] },
  { id: 3, name: "Vladimir Putin", kind: "person", aliases: ["Poutine"] },
  { id: 4, name: "the Kremlin", kind: "government", aliases: [] },
]);
const ids = (found) => found.map((m) => m.speaker.id);

test("a shared alias lists both speakers, with the alias that matched", () => {
  const found = matchSpeakers(desk, "macron");
  assert.deepEqual(ids(found), [2, 1]); // both exact, then by name
  assert.deepEqual(found.map((m) => m.form), ["Macron", "Macron"]);
});

test("exact matches first, then names or aliases starting with the text, then words", () => {
  assert.deepEqual(ids(matchSpeakers(desk, "pou")), [3]);
  assert.deepEqual(ids(matchSpeakers(desk, "kreml")), [4]); // a word of "the Kremlin"
  assert.deepEqual(ids(matchSpeakers(desk, "Emmanuel Macron")), [1]);
  assert.deepEqual(ids(matchSpeakers(desk, "zz")), []);
});

test("empty text lists every speaker by name, up to the limit", () => {
  assert.deepEqual(ids(matchSpeakers(desk, "", 3)), [2, 1, 4]);
});
