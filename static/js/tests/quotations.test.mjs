import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { inferQuoteType } from "../quotations.js";

// The server's table of cases (tests/interop/test_quotations.py, kept equal to this file by
// tests/interop/test_quotation_cases_shared.py): each marks its span with [ and ].
const cases = JSON.parse(readFileSync(new URL("./quotation_cases.json", import.meta.url), "utf8"));

function infer(marked) {
  const start = marked.indexOf("[");
  const end = marked.indexOf("]");
  const text = marked.slice(0, start) + marked.slice(start + 1, end) + marked.slice(end + 1);
  return inferQuoteType(text, start, end - 1);
}

for (const expected of ["direct", "mixed", "indirect"]) {
  test(`every ${expected} case of the server's table is ${expected}`, () => {
    assert.ok(cases[expected].length > 5);
    for (const marked of cases[expected]) assert.equal(infer(marked), expected, marked);
  });
}

test("offsets are UTF-16: a quotation after an emoji is still found", () => {
  const text = "🙂 He said “we are ready” today";
  const start = text.indexOf("“");
  assert.equal(inferQuoteType(text, start, text.indexOf("”") + 1), "direct");
  assert.equal(inferQuoteType(text, start + 1, text.indexOf("”")), "direct");
  assert.equal(inferQuoteType(text, text.indexOf("He"), text.indexOf("”") + 1), "mixed");
  assert.equal(inferQuoteType(text, 0, 0), "indirect");
});
