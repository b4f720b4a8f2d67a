"""Train the learned suggester on a native-format corpus file and score it on its held-out part.

Usage::

    nice -n 19 env OMP_NUM_THREADS=1 .venv/bin/python bench/train_suggester_bench.py \
        [--corpus ../shared/corpora/polnear-train-speech.jsonl] [--epochs 5] [--no-rule-features]

The same code as ``manage.py train_suggester`` (``labels.suggestions.learned`` and the
evaluation of ``labels.suggestions.training``) without the database: the corpus is read where
it lies and the model is kept in memory only — a model trained on the corpus is never written
into the project. Prints training time and peak memory, the held-out figures of the rules, the
model and both combined, and the time to suggest for a 5,000-character article.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from labels.suggestions import learned  # noqa: E402
from labels.suggestions.rules.engine import suggest  # noqa: E402
from labels.suggestions.split import is_held_out  # noqa: E402
from labels.suggestions.training import combined, evaluation  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "polnear-train-speech.jsonl"


def _fmt(v: float | None) -> str:
    return "   –" if v is None else f"{v:.2f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--epochs", type=int, default=learned.Settings().epochs)
    parser.add_argument("--no-rule-features", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="Train on the first N articles.")
    parser.add_argument(
        "--save", default="", help="Keep the model in this file (outside the repository)."
    )
    parser.add_argument("--load", default="", help="Evaluate this saved model instead of training.")
    args = parser.parse_args(argv)
    train, held = [], []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            article = learned.Article(r["text"], r["spans"], r["relations"])
            (held if is_held_out(r["id"]) else train).append(article)
    if args.limit:
        train = train[: args.limit]
    settings = learned.Settings(epochs=args.epochs, rule_features=not args.no_rule_features)
    t0, c0 = time.perf_counter(), time.process_time()
    if args.load:
        model = learned.Model.from_bytes(Path(args.load).read_bytes())
    else:
        model = learned.train(train, settings)
    if args.save:
        Path(args.save).write_bytes(model.to_bytes())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chars = sum(len(a.text) for a in train)
    print(
        f"trained on {len(train)} articles ({chars:,} characters), {settings.as_dict()}: "
        f"{wall:.0f} s wall, {cpu:.0f} s CPU, peak memory {peak_mb:.0f} MB; "
        f"model {len(model.to_bytes()) / 1e6:.1f} MB"
    )
    print(f"held-out: {len(held)} articles")
    print(f"{'suggester':<16}{'label':<14}{'exact P/R/F1':>20}{'overlap P/R/F1':>20}")
    for name, predict in (
        ("rules", suggest),
        ("model", model.suggest),
        ("model+rules", combined(model)),
    ):
        ev = evaluation(predict, held)
        for label, by_kind in ev["spans"].items():
            cells = [
                "/".join(_fmt(by_kind[k][m]) for m in ("precision", "recall", "f1"))
                for k in ("exact", "overlap")
            ]
            print(f"{name:<16}{label:<14}{cells[0]:>20}{cells[1]:>20}")
        rel = ev["attributed_to"]
        cell = "/".join(_fmt(rel[m]) for m in ("precision", "recall", "f1"))
        print(f"{name:<16}{'attributed_to':<14}{cell:>20}")
    sample = next(a.text for a in held if len(a.text) >= 5000)[:5000]
    times = []
    for _ in range(9):
        t = time.perf_counter()
        combined(model)(sample)
        times.append((time.perf_counter() - t) * 1000)
    print(f"suggest (model + rules) for 5,000 characters: median {statistics.median(times):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
