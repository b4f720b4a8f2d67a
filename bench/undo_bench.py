"""Time undo and redo in the annotation workspace on a long article (issue 13: < 50 ms to the
next frame).

Serves the app from a throwaway database as bench/workspace_bench.py does, with the same
50,000-character article and 1,000 spans, and drives headless Chromium through Playwright.
Each round selects a span in the side panel and deletes it (`Delete`), then times:

- undo: `Ctrl+Z` brings the span back — the handler, the store, the bars and the list, and
  the forced layout (`layout`), and until the next frame has been drawn (`frame`);
- redo: `Ctrl+Shift+Z` deletes it again, timed the same way.

Every round waits until the server has saved the changes before the next one, so the figures
are the page's own work, not the network's; the rounds start once the article's suggestions
are shown (``suggestions_shown`` ghosts), as the analyst works — started while they were still
loading, their arrival (which redraws everything) fell inside some rounds. Each figure is the
median over the rounds. Run:

    .venv/bin/python bench/undo_bench.py [--rounds 20] [--chars 50000] [--spans 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workspace_bench import (  # noqa: E402
    PASSWORD,
    logged_in_page,
    machine,
    seed_long_article,
    throwaway_site,
)
from workspace_figures import suggestions_settled  # noqa: E402

# In the page: select span `index` of the list, delete it, then time one undo (or redo) key.
STEP = """async ([index, key, shift, expectMore]) => {
    const press = (k, opts = {}) =>
        document.dispatchEvent(new KeyboardEvent("keydown", {key: k, bubbles: true, cancelable: true, ...opts}));
    if (index !== null) {
        document.querySelectorAll("[data-span-list] .span-item")[index].click();
        document.querySelector("[data-doc]").focus();
        press("Delete");
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    }
    const before = document.querySelectorAll("[data-overlay] .bar").length;
    const t0 = performance.now();
    press(key, {ctrlKey: true, shiftKey: shift});
    void document.body.offsetHeight;
    const t1 = performance.now();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    const t2 = performance.now();
    const after = document.querySelectorAll("[data-overlay] .bar").length;
    if (expectMore ? after <= before : after >= before) {
        throw new Error("nothing was undone: " + document.querySelector("[data-message]").textContent);
    }
    return {layout: t1 - t0, frame: t2 - t0};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="delete-undo-redo rounds")
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--spans", type=int, default=1_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()

    undo_layout, undo_frame, redo_layout, redo_frame = [], [], [], []
    with throwaway_site("bench_undo") as url:
        article, text = seed_long_article(args.chars, args.spans)
        with logged_in_page(url, "bench", PASSWORD) as page:
            chromium_version = page.context.browser.version
            page.goto(f"{url}/articles/{article.pk}/annotate/")
            page.wait_for_selector("[data-ws][data-ready]", timeout=60_000)
            shown = suggestions_settled(page)
            saved = page.locator("[data-save-state][data-state=saved]")
            for round_ in range(args.rounds):
                index = (round_ * 37) % (args.spans - args.rounds)  # spread over the article
                undo = page.evaluate(STEP, [index, "z", False, True])
                saved.wait_for(timeout=30_000)
                redo = page.evaluate(STEP, [None, "z", True, False])
                saved.wait_for(timeout=30_000)
                undo_layout.append(undo["layout"])
                undo_frame.append(undo["frame"])
                redo_layout.append(redo["layout"])
                redo_frame.append(redo["frame"])

    figures = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "chromium": chromium_version,
        "article_chars": len(text),
        "spans": args.spans,
        "rounds": args.rounds,
        "suggestions_shown": shown,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "undo_ms_median": round(statistics.median(undo_layout), 1),
        "undo_to_next_frame_ms_median": round(statistics.median(undo_frame), 1),
        "undo_to_next_frame_ms_max": round(max(undo_frame), 1),
        "redo_ms_median": round(statistics.median(redo_layout), 1),
        "redo_to_next_frame_ms_median": round(statistics.median(redo_frame), 1),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        print(f"{key:>30}: {value}")
    target = figures["undo_to_next_frame_ms_median"] < 50
    print("\ntarget: undo < 50 ms to the next frame " + ("OK" if target else "MISSED"))


if __name__ == "__main__":
    main()
