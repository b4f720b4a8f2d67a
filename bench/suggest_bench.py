"""Time the built-in suggester on 50,000 characters of news text.

Usage: ``.venv/bin/python bench/suggest_bench.py [--chars 50000] [--runs 9] [--budget-ms 200]``

The text is the six seed articles (``seeds/gold.jsonl``) repeated, paragraphs apart, and cut
at a paragraph boundary near ``--chars``. The first call, which imports spaCy and builds the
blank tokenizer, is timed and reported on its own; the figure that counts is the median of the
runs after it. CPU time is printed too: on a shared machine the wall-clock figures move with
the load, the CPU figures much less. The load average is printed with the figures. Last, the
same article through ``labels.suggestions.proposals.BuiltinSuggester`` with a warm cache: what a reload of
the article costs the suggestions endpoint (no database needed). Exits with status 1 when the
wall-clock median is over the budget.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_text(chars: int) -> str:
    lines = (ROOT / "seeds" / "gold.jsonl").open(encoding="utf-8")
    articles = [json.loads(line)["text"] for line in lines]
    paragraphs = [p for article in articles for p in article.split("\n\n")]
    out: list[str] = []
    size = 0
    while size < chars:
        for paragraph in paragraphs:
            out.append(paragraph)
            size += len(paragraph) + 2
            if size >= chars:
                break
    return "\n\n".join(out)


def cached_times(text: str, runs: int) -> list[float]:
    """Milliseconds per call of BuiltinSuggester.propose once the text's result is cached."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()  # settings only: the embedded database starts on a first query, never here
    from types import SimpleNamespace

    from labels.schema import default_schema
    from labels.suggestions.proposals import BuiltinSuggester
    from labels.text import text_sha256

    article = SimpleNamespace(text=text, text_sha256=text_sha256(text))
    suggester, schema = BuiltinSuggester(), default_schema()
    suggester.propose(article, schema)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        suggester.propose(article, schema)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--budget-ms", type=float, default=200.0)
    args = parser.parse_args(argv)

    text = build_text(args.chars)
    started = time.perf_counter()
    from labels.suggestions.rules.engine import suggest

    suggest("Warm-up: “we are ready,” he said.")
    first_ms = (time.perf_counter() - started) * 1000

    times, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = suggest(text)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    median = statistics.median(times)
    labels = {
        label: sum(s.label == label for s in result.spans) for label in ("Quote", "Cue", "Source")
    }

    print(f"text: {len(text):,} characters ({len(text.split()):,} words), seed articles repeated")
    print(f"first call (import spaCy, blank tokenizer, warm-up text): {first_ms:.0f} ms")
    print(
        f"suggest() over {args.runs} runs: median {median:.1f} ms, "
        f"min {min(times):.1f} ms, max {max(times):.1f} ms (budget {args.budget_ms:.0f} ms)"
    )
    print(f"CPU time: median {statistics.median(cpu):.1f} ms, min {min(cpu):.1f} ms")
    print(f"per run: {labels} spans, {len(result.relations)} relations")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cached = cached_times(text, args.runs)
    print(
        f"cached reload (BuiltinSuggester, warm cache) over {args.runs} runs: "
        f"median {statistics.median(cached):.1f} ms, min {min(cached):.1f} ms"
    )
    return 0 if median <= args.budget_ms else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
