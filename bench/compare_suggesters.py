"""Compare the learned suggesters on the held-out part of a native-format corpus file.

Usage::

    nice -n 19 env OMP_NUM_THREADS=1 BLIS_NUM_THREADS=1 .venv/bin/python \
        bench/compare_suggesters.py [--corpus ../shared/corpora/polnear-train-speech.jsonl] \
        [--approach perceptron|spacy-ner|all] [--epochs N] [--no-rule-features] [--limit N] \
        [--json]

Approaches: ``perceptron`` (``labels.suggestions.learned``, the product's) and ``spacy-ner``
(``labels.suggestions.spacy_ner``: spaCy's entity recogniser trained from scratch, the rules'
tags as a token feature). ``all`` (the default) runs each in its own process, so that each
one's peak memory is its own, and prints one table. Both train on the articles outside the
held-out fifth (``labels.suggestions.split``) and are scored on the held-out part with
``labels.suggestions.training.evaluation`` — the figures ``train_suggester`` stores: per label
precision / recall / F1, exact and overlap, and ``attributed_to`` with both ends exact — alone
and combined with the rules (``training.combined``, what a project gets). Also printed:
training wall and CPU time, peak resident memory of the process after training, and the median
wall and CPU time to suggest (model + rules) for the first 5,000 characters of a held-out
article. The time to suggest does not depend on how much was trained: ``--limit 20 --epochs 1``
measures it in a minute.

The corpus is read where it lies; models stay in memory (a model trained on the corpus is
never written into the project).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from labels.suggestions import learned, spacy_ner  # noqa: E402
from labels.suggestions.rules.engine import suggest  # noqa: E402
from labels.suggestions.split import is_held_out  # noqa: E402
from labels.suggestions.training import combined, evaluation  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "polnear-train-speech.jsonl"
APPROACHES = ("perceptron", "spacy-ner")


def read_corpus(path: str | Path) -> tuple[list[learned.Article], list[learned.Article]]:
    """(training, held-out) articles of a native-format JSONL file."""
    train, held = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            article = learned.Article(r["text"], r["spans"], r.get("relations", []))
            (held if is_held_out(r["id"]) else train).append(article)
    return train, held


def _train(approach: str, train: list[learned.Article], epochs: int | None, rule_features: bool):
    if approach == "perceptron":
        kw: dict[str, Any] = {"rule_features": rule_features}
        if epochs:
            kw["epochs"] = epochs
        settings = learned.Settings(**kw)
        return settings.as_dict(), learned.train(train, settings)
    if approach == "spacy-ner":
        kw = {"rule_features": rule_features}
        if epochs:
            kw["epochs"] = epochs
        s = spacy_ner.Settings(**kw)
        t0 = time.perf_counter()

        def progress(epoch: int, done: int, total: int, loss: float) -> None:
            if done == total:
                took = time.perf_counter() - t0
                print(f"spacy-ner: epoch {epoch + 1} done, {took:.0f} s", file=sys.stderr)

        return s.as_dict(), spacy_ner.train(train, s, progress)
    raise ValueError(f"Unknown approach {approach!r}; one of {', '.join(APPROACHES)}.")


def run(
    approach: str,
    train: list[learned.Article],
    held: list[learned.Article],
    epochs: int | None = None,
    rule_features: bool = True,
    sample_chars: int = 5000,
) -> dict[str, Any]:
    """Train ``approach`` on ``train``, score it on ``held``; the figures as a dict."""
    t0, c0 = time.perf_counter(), time.process_time()
    settings, model = _train(approach, train, epochs, rule_features)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out: dict[str, Any] = {
        "approach": approach,
        "settings": settings,
        "training": {
            "articles": len(train),
            "characters": sum(len(a.text) for a in train),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "peak_rss_mb": round(peak_mb),
            "model_mb": round(len(model.to_bytes()) / 1e6, 2),
        },
        "held_out_articles": len(held),
    }
    if held:
        out["model"] = evaluation(model.suggest, held)
        out["model_and_rules"] = evaluation(combined(model), held)
        longest = max(held, key=lambda a: len(a.text))
        sample = next((a.text for a in held if len(a.text) >= sample_chars), longest.text)
        sample = sample[:sample_chars]
        predict = combined(model)
        times, cpu_times = [], []
        for _ in range(9):
            t, c = time.perf_counter(), time.process_time()
            predict(sample)
            times.append((time.perf_counter() - t) * 1000)
            cpu_times.append((time.process_time() - c) * 1000)
        out["suggest_ms"] = {
            "characters": len(sample),
            "median": round(statistics.median(times)),
            "cpu_median": round(statistics.median(cpu_times)),
        }
    return out


def _fmt(v: float | None) -> str:
    return "   –" if v is None else f"{v:.2f}"


def _row(name: str, figures: dict[str, Any]) -> str:
    cells = [
        f"{_fmt(by_kind['exact']['f1'])} / {_fmt(by_kind['overlap']['f1'])}"
        for by_kind in figures["spans"].values()
    ]
    return (
        f"{name:<34}"
        + "".join(f"{c:>14}" for c in cells)
        + (f"{_fmt(figures['attributed_to']['f1']):>15}")
    )


def print_table(results: list[dict[str, Any]], rules: dict[str, Any] | None) -> None:
    print(
        f"{'suggester (exact / overlap F1)':<34}{'Quote':>14}{'Source':>14}{'Cue':>14}{'attr_to':>15}"
    )
    if rules is not None:
        print(_row("rules alone", rules))
    for r in results:
        if "model" not in r:
            continue
        print(_row(f"{r['approach']}", r["model"]))
        print(_row(f"{r['approach']} + rules", r["model_and_rules"]))
    for r in results:
        t = r["training"]
        ms = r.get("suggest_ms", {})
        print(
            f"{r['approach']}: trained on {t['articles']} articles ({t['characters']:,} chars) "
            f"in {t['wall_s']:.0f} s wall / {t['cpu_s']:.0f} s CPU, peak {t['peak_rss_mb']} MB, "
            f"model {t['model_mb']} MB; suggest (model + rules) for 5,000 chars: "
            f"{ms.get('median')} ms wall, {ms.get('cpu_median')} ms CPU; "
            f"settings {r['settings']}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--approach", choices=(*APPROACHES, "all"), default="all")
    parser.add_argument("--epochs", type=int, default=0, help="Each approach's default if 0.")
    parser.add_argument("--no-rule-features", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="Train on the first N articles.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    if args.approach != "all":
        train, held = read_corpus(args.corpus)
        if args.limit:
            train = train[: args.limit]
        result = run(args.approach, train, held, args.epochs or None, not args.no_rule_features)
        if args.json:
            print(json.dumps(result))
        else:
            print_table([result], None)
        return 0
    results = []
    for approach in APPROACHES:
        child = [sys.executable, __file__, "--corpus", args.corpus, "--approach", approach]
        child += ["--json", "--epochs", str(args.epochs), "--limit", str(args.limit)]
        if args.no_rule_features:
            child.append("--no-rule-features")
        done = subprocess.run(child, check=True, capture_output=True, text=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{approach}: done", file=sys.stderr, flush=True)
    _, held = read_corpus(args.corpus)
    rules = evaluation(suggest, held) if held else None
    if args.json:
        print(json.dumps({"rules": rules, "approaches": results}))
    else:
        print(f"held-out: {len(held)} articles of {Path(args.corpus).name}")
        print_table(results, rules)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
