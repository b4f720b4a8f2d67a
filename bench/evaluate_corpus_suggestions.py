"""Score the built-in rules on a deterministic part of a native-format corpus file.

Usage::

    .venv/bin/python bench/evaluate_corpus_suggestions.py \
        [--corpus ../shared/corpora/polnear-train-speech.jsonl] [--part held-out|dev|all] \
        [--misses LABEL] [--json]

The corpus is read where it lies and never copied. Articles are split by a hash of their id
(``labels.suggestions.split.is_held_out``: about one in five is held out), so the split is the
same on every machine and for every run, and matches the split the trained suggester holds out.
Rules are developed by reading the misses of the ``dev`` part and reported on ``held-out``.

Prints per-label precision / recall / F1 (exact and overlap, matched as in the agreement
report) and the ``attributed_to`` F1 with both ends right (the cue is not compared).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from labels.agreement.measures import SpanRec, iou  # noqa: E402
from labels.suggestions.evaluation import evaluate, relation_scores  # noqa: E402
from labels.suggestions.rules.engine import suggest  # noqa: E402
from labels.suggestions.split import is_held_out  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "polnear-train-speech.jsonl"


def _fmt(value: float | None) -> str:
    return "   –" if value is None else f"{value:.2f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--part", choices=("held-out", "dev", "all"), default="held-out")
    parser.add_argument("--misses", default="", help="List misses of this label (dev only).")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    records = []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            held = is_held_out(record["id"])
            if args.part == "all" or (args.part == "held-out") == held:
                records.append(record)
    if args.limit:
        records = records[: args.limit]
    pairs = [(r["text"], r["spans"]) for r in records]
    scores = evaluate(pairs, None)
    rel = relation_scores([(r["text"], r["spans"], r["relations"]) for r in records], None)
    if args.json:
        print(json.dumps({"spans": scores, "attributed_to": rel}, indent=2))
    else:
        print(f"{len(records)} articles ({args.part}) of {Path(args.corpus).name}")
        print(f"{'label':<14} {'match':<8} {'P':>5} {'R':>5} {'F1':>5}")
        for label, by_kind in scores.items():
            for kind, figures in by_kind.items():
                p, r, f1 = (figures[k] for k in ("precision", "recall", "f1"))
                print(f"{label:<14} {kind:<8} {_fmt(p):>5} {_fmt(r):>5} {_fmt(f1):>5}")
        p, r, f1 = (rel[k] for k in ("precision", "recall", "f1"))
        print(f"{'attributed_to':<14} {'exact':<8} {_fmt(p):>5} {_fmt(r):>5} {_fmt(f1):>5}")
    if args.misses:
        if args.part == "held-out":
            print("Misses are listed for the dev part only.", file=sys.stderr)
            return 2
        for record in records:
            _misses(record, args.misses)
    return 0


def _misses(record: dict, label: str) -> None:
    text = record["text"]
    predicted = [s for s in suggest(text).spans if s.label == label]
    gold = [
        SpanRec(g["id"], label, g["start"], g["end"])
        for g in record["spans"]
        if g["label"] == label
    ]
    pred = [SpanRec(s.id, label, s.start, s.end) for s in predicted]
    for g in gold:
        best = max(pred, key=lambda p: iou(g, p), default=None)
        if best is None or iou(g, best) < 0.5:
            near = f"  ~ {text[best.start : best.end]!r}" if best and iou(g, best) > 0 else ""
            print(f"missed    {text[g.start : g.end]!r}{near}")
    for p in pred:
        if not any(iou(p, g) >= 0.5 for g in gold):
            print(f"spurious  {text[p.start : p.end]!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
