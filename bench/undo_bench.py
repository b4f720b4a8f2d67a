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

To compare with other page code under the same load, ``--static-from DIR`` serves /static/…
from DIR (e.g. a `git archive` of an older commit's static/) where DIR has the file; and
``--trace FILE`` writes a Chromium trace (devtools.timeline) of the undo rounds, to be opened
in DevTools' Performance panel or summed by bench/undo_bench.py --summarize FILE.
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
    const which = shift ? "redo" : "undo";
    performance.mark(`${which}:start`);
    const t0 = performance.now();
    press(key, {ctrlKey: true, shiftKey: shift});
    void document.body.offsetHeight;
    const t1 = performance.now();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    const t2 = performance.now();
    performance.mark(`${which}:end`);
    const after = document.querySelectorAll("[data-overlay] .bar").length;
    if (expectMore ? after <= before : after >= before) {
        throw new Error("nothing was undone: " + document.querySelector("[data-message]").textContent);
    }
    return {layout: t1 - t0, frame: t2 - t0};
}"""


TRACE_CATEGORIES = ",".join(
    [
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "disabled-by-default-devtools.timeline.invalidationTracking",
        "blink.user_timing",
    ]
)


def serve_static_from(page, folder: Path) -> None:
    """Answer requests for /static/<path> with folder/<path> where that file exists."""
    import mimetypes

    def handle(route) -> None:
        path = route.request.url.split("/static/", 1)[1].split("?")[0]
        file = folder / path
        if not file.is_file():
            route.continue_()
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=file.read_bytes(), headers={"Content-Type": kind})

    page.route("**/static/**", handle)


FRAME_PARTS = (
    "FunctionCall",
    "UpdateLayoutTree",
    "Layout",
    "PrePaint",
    "Paint",
    "IntersectionObserverController::computeIntersections",
    "Layerize",
    "Commit",
)


def summarize(trace: dict) -> dict:
    """Per undo (and redo) from the key to the next frame: the median milliseconds of each part
    of the renderer's main thread (FRAME_PARTS), and of the whole page's trace the milliseconds
    per event name."""
    events = trace["traceEvents"]
    marks = sorted(
        (e["ts"], e["name"]) for e in events if e.get("name", "").startswith(("undo:", "redo:"))
    )
    windows: dict[str, list[tuple[float, float]]] = {"undo": [], "redo": []}
    for (t0, a), (t1, b) in zip(marks, marks[1:], strict=False):
        if a.endswith(":start") and b == a.replace(":start", ":end"):
            windows[a.split(":")[0]].append((t0, t1))
    busy: dict[tuple, float] = {}
    for e in events:
        if e.get("ph") == "X" and e.get("name") == "RunTask":
            busy[(e["pid"], e["tid"])] = busy.get((e["pid"], e["tid"]), 0) + e.get("dur", 0)
    main = max(busy, key=busy.get)
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    dirty = []
    for e in events:
        if (e.get("pid"), e.get("tid")) != main or e.get("ph") != "X":
            continue
        name = e["name"]
        totals[name] = totals.get(name, 0) + e.get("dur", 0) / 1000
        counts[name] = counts.get(name, 0) + 1
        if name == "Layout":
            begin = e.get("args", {}).get("beginData", {})
            dirty.append(begin.get("dirtyObjects"))
    top = sorted(totals.items(), key=lambda kv: -kv[1])[:25]
    per: dict = {}
    for which, spans in windows.items():
        parts = {name: [] for name in (*FRAME_PARTS, "total")}
        for t0, t1 in spans:
            inside = [
                e
                for e in events
                if (e.get("pid"), e.get("tid")) == main
                and e.get("ph") == "X"
                and t0 <= e["ts"] < t1
            ]
            for name in FRAME_PARTS:
                parts[name].append(sum(e.get("dur", 0) for e in inside if e["name"] == name) / 1000)
            parts["total"].append((t1 - t0) / 1000)
        per[which] = {k: round(statistics.median(v), 1) for k, v in parts.items() if v}
    return {
        "median_ms_per_step": per,
        "ms_by_event": {k: {"ms": round(v, 1), "count": counts[k]} for k, v in top},
        "layout_dirty_objects": dirty[:60],
    }


# In the page: select suggestion `index` of the list and time its rejection (`x`) to the next
# frame (the request is answered later; the page has redrawn what changes by then).
REJECT = """async (index) => {
    document.querySelectorAll("[data-suggestion-list] [data-suggestion]")[index].click();
    document.querySelector("[data-doc]").focus();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    const t0 = performance.now();
    document.dispatchEvent(new KeyboardEvent("keydown", {key: "x", bubbles: true, cancelable: true}));
    void document.body.offsetHeight;
    const t1 = performance.now();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    return {layout: t1 - t0, frame: performance.now() - t0};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="delete-undo-redo rounds")
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--spans", type=int, default=1_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument("--static-from", type=Path, help="serve /static/… from this folder")
    parser.add_argument("--trace", type=Path, help="write a Chromium trace of the undo rounds")
    parser.add_argument("--rejects", type=int, default=0, help="then time this many rejections")
    parser.add_argument("--screenshot", type=Path, help="save the page after the first undo")
    parser.add_argument("--summarize", type=Path, help="only sum up a trace written by --trace")
    args = parser.parse_args()
    if args.summarize:
        print(json.dumps(summarize(json.loads(args.summarize.read_text())), indent=2))
        return

    undo_layout, undo_frame, redo_layout, redo_frame = [], [], [], []
    with throwaway_site("bench_undo") as url:
        article, text = seed_long_article(args.chars, args.spans)
        with logged_in_page(url, "bench", PASSWORD) as page:
            chromium_version = page.context.browser.version
            if args.static_from:
                serve_static_from(page, args.static_from)
            page.goto(f"{url}/articles/{article.pk}/annotate/")
            page.wait_for_selector("[data-ws][data-ready]", timeout=60_000)
            shown = suggestions_settled(page)
            saved = page.locator("[data-save-state][data-state=saved]")
            cdp = page.context.new_cdp_session(page) if args.trace else None
            trace = []
            if cdp:
                cdp.on("Tracing.dataCollected", lambda event: trace.extend(event["value"]))
                cdp.send(
                    "Tracing.start",
                    {"categories": TRACE_CATEGORIES, "transferMode": "ReportEvents"},
                )
            for round_ in range(args.rounds):
                index = (round_ * 37) % (args.spans - args.rounds)  # spread over the article
                undo = page.evaluate(STEP, [index, "z", False, True])
                saved.wait_for(timeout=30_000)
                if args.screenshot and round_ == 0:
                    page.mouse.move(0, 0)
                    page.screenshot(path=args.screenshot)
                redo = page.evaluate(STEP, [None, "z", True, False])
                saved.wait_for(timeout=30_000)
                undo_layout.append(undo["layout"])
                undo_frame.append(undo["frame"])
                redo_layout.append(redo["layout"])
                redo_frame.append(redo["frame"])
            rejects = []
            for round_ in range(args.rejects):
                with page.expect_response(lambda r: r.url.endswith("/suggestions/reject/")):
                    rejects.append(page.evaluate(REJECT, (round_ * 53) % 500))
            if cdp:
                done = []
                cdp.on("Tracing.tracingComplete", lambda event: done.append(True))
                cdp.send("Tracing.end")
                while not done:
                    page.wait_for_timeout(100)
                args.trace.write_text(json.dumps({"traceEvents": trace}))

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
    if rejects:
        figures["reject_ms_median"] = round(statistics.median(r["layout"] for r in rejects), 1)
        figures["reject_to_next_frame_ms_median"] = round(
            statistics.median(r["frame"] for r in rejects), 1
        )
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        print(f"{key:>30}: {value}")
    target = figures["undo_to_next_frame_ms_median"] < 50
    print("\ntarget: undo < 50 ms to the next frame " + ("OK" if target else "MISSED"))


if __name__ == "__main__":
    main()
