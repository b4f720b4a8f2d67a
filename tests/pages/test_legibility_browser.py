"""What the workspace's marks look like, read off the screen: label names big enough to read,
every bar in its label's colour whatever its lane or state, no label fainter than the others,
and relation arcs that run between the lines with arrowheads that never fall on each other."""

from __future__ import annotations

import io
import math

import pytest
from playwright.sync_api import expect

from labels.interop.importing import do_import
from labels.models import Annotation, Span
from tests.support.paths import ROOT
from tests.support.pixels import darkness, decode_png, hex_rgb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NESTED_QUOTE = "external pressure on legitimate authorities are unacceptable"


@pytest.fixture
def annotation(project, annotator):
    """The seed article's reference layer as the analyst's draft (36 spans, 16 relations), with
    one more Quote inside the second paragraph's Quote (two Quote lanes on the same words) and a
    Claim near the top."""
    gold = (ROOT / "seeds" / "gold.jsonl").read_text("utf-8").splitlines()[0]
    do_import(project, [("gold.jsonl", io.BytesIO(gold.encode()))], layer=annotator.username)
    annotation = Annotation.objects.get(annotator=annotator)
    annotation.status = "draft"
    annotation.save(update_fields=["status"])
    text = annotation.article.text
    start = text.index(NESTED_QUOTE)
    Span.objects.create(
        annotation=annotation,
        label="Quote",
        start=start,
        end=start + len(NESTED_QUOTE),
        text=NESTED_QUOTE,
        attrs={"quote_type": "direct"},
    )
    claim = "The telephone conversation between Putin and Macron came after a meeting in Vilnius"
    start = text.index(claim)
    Span.objects.create(
        annotation=annotation, label="Claim", start=start, end=start + len(claim), text=claim
    )
    return annotation


def open_workspace(page, live_server, annotation) -> None:
    page.goto(f"{live_server.url}/articles/{annotation.article.pk}/annotate/")
    page.wait_for_selector("[data-ws][data-ready]")
    # Suggestions (none here) arrive last and lay the marks out again: wait for them.
    page.locator("[data-suggestions]:not([data-state=loading])").wait_for()


def font_px(locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def bars_in_view(page) -> list[dict]:
    """Every span bar wholly on screen: its label, its classes and its coloured part's box."""
    return page.evaluate(
        """() => {
            const labels = JSON.parse(document.getElementById("workspace-data").textContent).labels;
            const colours = Object.fromEntries(labels.map((l) => [l.name, l.color]));
            const view = document.querySelector("[data-doc-scroll]").getBoundingClientRect();
            return [...document.querySelectorAll(".doc-overlay .bar:not(.ghost)")].map((bar) => {
                const r = bar.getBoundingClientRect();
                const label = bar.title.slice(0, bar.title.indexOf(":"));
                // The colour is painted inside a 1px transparent border (app.css .bar).
                const n = [...document.querySelectorAll(`.doc-overlay .bar[data-key="${bar.dataset.key}"]`)].indexOf(bar);
                return {key: bar.dataset.key, n, label, colour: colours[label], classes: bar.className,
                        x: r.left, y: r.top + 1, width: r.width, height: r.height - 2};
            }).filter((b) => b.y > view.top + 30 && b.y + b.height < view.bottom - 4 && b.width >= 8);
        }"""
    )


def bar_pixels(page, bar: dict) -> list[list[tuple[int, int, int]]]:
    """The screen's pixels over the ``bar["n"]``-th bar of span ``bar["key"]`` and two rows
    above and below its middle (where an outline or a halo shows), with the other bars and the
    chip hidden so that only this bar's own look is read. The middle row runs along the bar's
    coloured part."""
    shown = page.evaluate(
        """([key, n]) => {
            const mine = [...document.querySelectorAll(`.doc-overlay .bar[data-key="${key}"]`)];
            for (const e of document.querySelectorAll(".doc-overlay .bar, .chip")) {
                e.style.visibility = e === mine[n] ? "" : "hidden";
            }
            return mine.length > n;
        }""",
        [bar["key"], bar["n"]],
    )
    assert shown, bar
    middle = math.floor(bar["y"] + bar["height"] / 2)
    x = math.ceil(bar["x"])
    width = max(1, math.floor(bar["x"] + bar["width"]) - x)
    png = page.screenshot(clip={"x": x, "y": middle - 2, "width": width, "height": 5})
    return decode_png(png)


def distance(a, b) -> float:
    return math.dist(a, b)


def test_chips_are_readable_and_every_bar_shows_its_labels_colour_and_cue_is_not_fainter(
    new_page, live_server, annotation
):
    page = new_page(annotation.annotator, viewport={"width": 1440, "height": 900})
    open_workspace(page, live_server, annotation)
    # Select the outer Quote of the second paragraph: it gets a chip, the Quote nested in it
    # and the spans it is linked to are drawn as related.
    page.locator("[data-span-list] .span-item", has_text="Russia’s “principled position”").filter(
        has_text="Quote"
    ).first.click()
    chip = page.locator(".chip")
    expect(chip).to_have_count(1)
    assert chip.inner_text() == "Quote"
    assert font_px(chip) >= 12
    assert chip.bounding_box()["height"] >= 14

    bars = bars_in_view(page)
    colours = {b["label"]: hex_rgb(b["colour"]) for b in bars}
    assert set(colours) == {"Quote", "Source", "Cue", "Claim", "Stance"}, colours
    # Two Quote lanes on the same words, the selected one among them.
    quote_lanes = {round(b["y"]) for b in bars if b["label"] == "Quote" and b["x"] > 0}
    assert len(quote_lanes) >= 2
    assert any("selected" in b["classes"] for b in bars)
    assert any("related" in b["classes"] for b in bars)

    ink: dict[str, list[float]] = {}
    for bar in bars:
        rows = bar_pixels(page, bar)
        # The bar's 3px of colour, wherever they fall among the pixel rows.
        bar_ink = sum(darkness(p) for line in rows for p in line) / (3 * len(rows[0]))
        inked = [p for line in rows for p in line if distance(p, (255, 255, 255)) > 60]
        assert inked, bar
        mean = tuple(sum(p[i] for p in inked) / len(inked) for i in range(3))
        nearest = min(colours, key=lambda name: distance(colours[name], mean))
        # Whatever its lane and state, a bar reads as its own label, not as ink or another label.
        assert nearest == bar["label"], (bar, mean)
        assert distance(mean, colours[bar["label"]]) < 70, (bar, mean)
        if "selected" not in bar["classes"] and "related" not in bar["classes"]:
            ink.setdefault(bar["label"], []).append(bar_ink)

    # How much ink a label's underline puts on the screen (its colour's darkness times the part
    # of the bar its pattern fills): Cue's as much as the others', and none far behind.
    strength = {label: sum(values) / len(values) for label, values in ink.items()}

    def others(label: str) -> float:
        rest = [value for name, value in strength.items() if name != label]
        return sum(rest) / len(rest)

    assert strength["Cue"] >= 0.9 * others("Cue"), strength
    for label in strength:
        assert strength[label] >= 0.75 * others(label), (label, strength)

    # The palette's swatches and the arcs' names are as legible.
    page.keyboard.press("Escape")
    page.focus("[data-doc]")
    page.keyboard.press("r")
    expect(page.locator(".arc-label")).to_have_count(annotation.relations.count())
    assert font_px(page.locator(".arc-label").first) >= 12


def test_arcs_run_between_the_lines_and_no_two_arrowheads_overlap(
    new_page, live_server, annotation
):
    page = new_page(annotation.annotator, viewport={"width": 1440, "height": 900})
    open_workspace(page, live_server, annotation)
    page.focus("[data-doc]")
    page.keyboard.press("r")  # every relation's arc
    expect(page.locator("path.arc")).to_have_count(annotation.relations.count())

    geometry = page.evaluate(
        """() => {
            const node = document.querySelector("[data-text]").firstChild;
            const range = document.createRange();
            range.selectNodeContents(node);
            const lines = [...range.getClientRects()].filter((r) => r.width > 1)
                .map((r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom}));
            const arcs = [...document.querySelectorAll("path.arc")].map((path) => {
                const matrix = path.getScreenCTM();
                const length = path.getTotalLength();
                const points = [];
                for (let i = 0; i <= 120; i++) {
                    const p = path.getPointAtLength((length * i) / 120).matrixTransform(matrix);
                    points.push([p.x, p.y]);
                }
                return points;
            });
            const labels = [...document.querySelectorAll(".arc-label")].map((t) => {
                const r = t.getBoundingClientRect();
                return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: t.textContent};
            });
            return {lines, arcs, labels};
        }"""
    )
    lines = geometry["lines"]
    assert len(lines) > 10

    def on_text(x: float, y: float) -> bool:
        return any(
            line["left"] <= x <= line["right"] and line["top"] + 1 < y < line["bottom"] - 1
            for line in lines
        )

    for points in geometry["arcs"]:
        crossing = [p for p in points if on_text(*p)]
        assert crossing == [], crossing[:3]
    for label in geometry["labels"]:
        for line in lines:
            overlap_x = min(label["right"], line["right"]) - max(label["left"], line["left"])
            overlap_y = min(label["bottom"], line["bottom"]) - max(label["top"], line["top"])
            assert overlap_x <= 0 or overlap_y <= 2, (label, line)

    # Arrowheads are 7px wide and point down at their span: their tips at least that far apart.
    tips = [points[-1] for points in geometry["arcs"]]
    for i, a in enumerate(tips):
        for b in tips[i + 1 :]:
            assert math.dist(a, b) >= 7, (a, b)
