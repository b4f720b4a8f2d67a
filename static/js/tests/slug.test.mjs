import { test } from "node:test";
import assert from "node:assert/strict";

import { slugify, SLUG_MAX_LENGTH } from "../slug.js";

test("a name becomes lower case with hyphens for spaces and punctuation", () => {
  assert.equal(slugify("Election desk 2026"), "election-desk-2026");
  assert.equal(slugify("  AFP: Belarus — Minsk!  "), "afp-belarus-minsk");
  assert.equal(slugify("a -- b"), "a-b");
});

test("accents are dropped and other scripts left out, as the server does", () => {
  assert.equal(slugify("Économie française"), "economie-francaise");
  assert.equal(slugify("Мінск"), "");
  assert.equal(slugify("Minsk Мінск"), "minsk");
});

test("the slug is cut at the length the server allows, without a trailing hyphen", () => {
  const slug = slugify("word ".repeat(30));
  assert.ok(slug.length <= SLUG_MAX_LENGTH);
  assert.ok(!slug.endsWith("-"));
});
