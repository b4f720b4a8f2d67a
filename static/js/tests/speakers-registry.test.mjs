// The Speaker field's reading of typed text: names and aliases, case and diacritics aside.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fold, indexSpeakers } from "../speakers-registry.js";

test("fold drops case, diacritics and extra spaces", () => {
  assert.equal(fold("  Mácron "), "macron");
  assert.equal(fold("Vladimir   PUTIN"), "vladimir putin");
  assert.equal(fold("Sýkora"), "sykora");
});

test("an alias or the name finds the speaker; the first speaker keeps a shared form", () => {
  const { byId, byForm } = indexSpeakers([
    { id: 1, name: "Vladimir Putin", aliases: ["Poutine"] },
    { id: 2, name: "Emmanuel Macron", aliases: ["Mácron", "Poutine"] },
  ]);
  assert.equal(byForm.get(fold("poutine")), 1);
  assert.equal(byForm.get(fold("MACRON")), 2);
  assert.equal(byForm.get(fold("emmanuel macron")), 2);
  assert.equal(byForm.get(fold("Putin")), undefined);
  assert.equal(byId.get(2).name, "Emmanuel Macron");
});
