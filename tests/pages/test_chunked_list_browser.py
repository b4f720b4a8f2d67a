"""The side panel's long lists come in chunks of rows (static/js/workspace/chunked.js), so that
the browser draws only the chunks on screen. Whatever is inserted or removed where, the rows
stay in the order the caller asked for, no chunk is left empty and none grows past twice its
size — in real Chromium, with the module the workspace uses."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labels.interop.importing import do_create_article
from tests.pages.test_workspace_browser import mark, open_workspace, saving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A thousand random inserts (before a random row or at the end) and removals on a list that
# starts with 300 rows, chunks of 8 so that splits and emptied chunks happen often; after each
# step the rows read in the list must equal a plain array that underwent the same steps.
RANDOM_EDITS = """
async () => {
  const { ChunkedList } = await import("/static/js/workspace/chunked.js");
  const root = document.createElement("div");
  document.body.append(root);
  const list = new ChunkedList(root, { size: 8 });
  let seed = 7;
  const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const row = (n) => { const r = document.createElement("div"); r.dataset.n = String(n); return r; };
  let expected = Array.from({ length: 300 }, (_, i) => row(i));
  list.replace(expected);
  const problems = [];
  for (let step = 0, next = 300; step < 1000; step++) {
    if (expected.length && random(3) === 0) {
      const at = random(expected.length);
      list.remove(expected[at]);
      expected.splice(at, 1);
    } else {
      const at = random(expected.length + 1);
      const fresh = row(next++);
      list.insert(fresh, expected[at] || null);
      expected.splice(at, 0, fresh);
    }
    const chunks = [...root.children];
    const rows = chunks.flatMap((c) => [...c.children]);
    if (rows.length !== expected.length || rows.some((r, i) => r !== expected[i])) {
      problems.push(`step ${step}: rows out of order`);
      break;
    }
    if (chunks.some((c) => c.className !== "rows" || c.childElementCount === 0 || c.childElementCount >= 16)) {
      problems.push(`step ${step}: chunk sizes ${chunks.map((c) => c.childElementCount)}`);
      break;
    }
    if (chunks.some((c) => c.style.getPropertyValue("--rows-px") !== `${c.childElementCount * 40}px`)) {
      problems.push(`step ${step}: a chunk's placeholder size is stale`);
      break;
    }
  }
  return { problems, rows: expected.length, chunks: root.childElementCount };
}
"""


def test_rows_keep_their_order_through_random_inserts_and_removals(new_page, live_server):
    page = new_page()
    page.goto(f"{live_server.url}/login/")
    result = page.evaluate(RANDOM_EDITS)
    assert result["problems"] == []
    assert result["rows"] > 300 and result["chunks"] > 1
    assert page.problems == []


SENTENCE = "Officials said the talks went well. "


def test_the_span_list_is_one_list_in_text_order_across_its_chunks(
    new_page, live_server, api, project, annotator
):
    """150 spans: the span list is one list for assistive technology (role list, its rows
    listitems, in text order) spread over several chunks; a span marked between two chunks'
    rows lands in its place in the text order, and deleting it takes its row away."""
    article = do_create_article(project, external_id="long", raw_text=SENTENCE * 150)
    client = api(annotator)
    payload = client.post(f"/api/v1/articles/{article.pk}/annotation/").json()
    version = payload["version"]
    for n in range(150):
        start = n * len(SENTENCE) + len("Officials said the ")
        body = {"version": version, "label": "Claim", "start": start, "end": start + 5}
        answer = client.post(
            f"/api/v1/annotations/{payload['id']}/spans/",
            body | {"text": "talks", "attrs": {}},
            format="json",
        )
        assert answer.status_code == 201, answer.content
        version = answer.json()["version"]

    page = new_page(annotator)
    open_workspace(page, live_server, article)
    spans = page.get_by_role("list", name="Spans")
    assert spans.get_by_role("listitem").count() == 150
    chunks = page.locator("[data-span-list] > .rows")
    assert chunks.count() == 3  # 64 + 64 + 22
    # The 65th sentence's "Officials" comes after the 64th span (the last row of the first
    # chunk) and before the 65th (the first row of the second).
    at = 64 * len(SENTENCE)
    with saving(page):
        mark(page, article.text, at, at + len("Officials"), "2")
    excerpts = page.locator("[data-span-list] .row .excerpt").all_inner_texts()
    assert len(excerpts) == 151
    assert excerpts[64] == "“Officials”" and excerpts[63] == excerpts[65] == "“talks”"
    page.keyboard.press("Delete")
    expect(page.locator("[data-span-list] .row")).to_have_count(150)
    assert "“Officials”" not in page.locator("[data-span-list] .excerpt").all_inner_texts()
    assert page.problems == []
