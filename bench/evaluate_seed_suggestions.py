"""Score the built-in suggester against the gold annotation of the demo seeds.

Usage: ``.venv/bin/python bench/evaluate_seed_suggestions.py [--misses]``

Reads ``seeds/gold.jsonl``, runs ``labels.suggestions.evaluation.evaluate`` over every article and prints
precision, recall and F1 per label, exact and with overlap matching (IoU >= 0.5). With
``--misses`` it also lists, per article, the gold spans no suggestion overlaps and the
suggestions no gold span overlaps, which is what to read when tuning the rules.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labels.agreement.measures import SpanRec, iou  # noqa: E402
from labels.suggestions.evaluation import evaluate  # noqa: E402
from labels.suggestions.rules.engine import suggest  # noqa: E402


def _fmt(value: float | None) -> str:
    return "   –" if value is None else f"{value:.2f}"


def main(argv: list[str]) -> int:
    records = [json.loads(line) for line in (ROOT / "seeds" / "gold.jsonl").open(encoding="utf-8")]
    pairs = [(r["text"], r["spans"]) for r in records]
    scores = evaluate(pairs, None)
    print(f"{len(records)} seed articles, gold from seeds/gold.jsonl")
    print(f"{'label':<8} {'match':<8} {'P':>5} {'R':>5} {'F1':>5}")
    for label, by_kind in scores.items():
        for kind, figures in by_kind.items():
            p, r, f = (figures[k] for k in ("precision", "recall", "f1"))
            print(f"{label:<8} {kind:<8} {_fmt(p):>5} {_fmt(r):>5} {_fmt(f):>5}")
    if "--misses" in argv:
        for record in records:
            _misses(record)
    return 0


def _misses(record: dict) -> None:
    text = record["text"]
    predicted = suggest(text).spans
    print(f"\n== {record['id']}")
    for label in ("Quote", "Source", "Cue"):
        gold = [
            SpanRec(g["id"], label, g["start"], g["end"])
            for g in record["spans"]
            if g["label"] == label
        ]
        pred = [SpanRec(s.id, label, s.start, s.end) for s in predicted if s.label == label]
        for g in gold:
            if not any(iou(g, p) >= 0.5 for p in pred):
                print(f"  missed    {label:<6} {text[g.start : g.end]!r}")
        for p in pred:
            if not any(iou(p, g) >= 0.5 for g in gold):
                print(f"  spurious  {label:<6} {text[p.start : p.end]!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
