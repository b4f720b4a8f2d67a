"""python manage.py train_suggester --project SLUG [--include-submitted] [--feedback] [--epochs N]
[--no-curve]

Trains a suggester on the project's reviewed gold (labels/suggestions/training.py), evaluates it
on the held-out part of the gold (articles chosen by a hash of their id), stores it as a new
version in the ``suggester_models`` storage and prints its figures. CPU only; nothing is
downloaded.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from labels.models import Project
from labels.suggestions import learned
from labels.suggestions.training import do_train_project_model


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


class Command(BaseCommand):
    help = "Train a suggester on a project's reviewed gold, evaluate it and store it."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument(
            "--include-submitted",
            action="store_true",
            help="Also learn from analysts' finished layers of articles without gold.",
        )
        parser.add_argument(
            "--feedback",
            action="store_true",
            help="Also learn from the suggestions analysts accepted (positives) and rejected "
            "(negatives), in their submitted and unfinished work; implies --include-submitted.",
        )
        parser.add_argument("--epochs", type=int, default=learned.Settings().epochs)
        parser.add_argument(
            "--no-curve", action="store_true", help="Skip the learning curve (trains once)."
        )
        parser.add_argument(
            "--no-rule-features",
            action="store_true",
            help="Learn from the words alone, without the rules' proposals as features.",
        )

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with the slug {options['project']!r}.")
        if not 1 <= options["epochs"] <= 50:
            raise CommandError("--epochs must be between 1 and 50.")
        settings = learned.Settings(
            epochs=options["epochs"], rule_features=not options["no_rule_features"]
        )
        last = [-1]

        def progress(step: str, fraction: float) -> None:
            pct = int(fraction * 100)
            if pct // 10 != last[0] // 10 and options["verbosity"] > 0:
                sys.stderr.write(f"{step} {pct}%\n")
                last[0] = pct

        try:
            stored = do_train_project_model(
                project,
                include_submitted=options["include_submitted"],
                feedback=options["feedback"],
                settings=settings,
                curve=not options["no_curve"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        meta = stored.meta
        write = self.stdout.write
        t = meta["training"]
        write(
            f"Stored {stored.name}: trained on {t['articles']} article(s), "
            f"{t['characters']:,} characters."
        )
        if t["feedback"] is not None:
            f = t["feedback"]
            write(
                f"Analysts' feedback: {f['accepted']} accepted and {f['rejected']} rejected "
                f"suggestion(s), {f['partial_articles']} article(s) taught by feedback alone."
            )
        ev = meta["evaluation"]
        if not ev["held_out_articles"]:
            write("No article of the gold falls in the held-out part: no evaluation.")
            return
        write(f"Held-out evaluation on {ev['held_out_articles']} article(s):")
        write(f"{'suggester':<16}{'label':<15}{'exact F1':>9}{'overlap F1':>11}")
        for name in ("rules", "model", "model_and_rules"):
            for label, by_kind in ev[name]["spans"].items():
                write(
                    f"{name:<16}{label:<15}{_fmt(by_kind['exact']['f1']):>9}"
                    f"{_fmt(by_kind['overlap']['f1']):>11}"
                )
            write(f"{name:<16}{'attributed_to':<15}{_fmt(ev[name]['attributed_to']['f1']):>9}")
        if ev["learning_curve"]:
            write("Learning curve (overlap F1 on the held-out part):")
            for point in ev["learning_curve"]:
                write(
                    f"  {point['articles']:>5} articles  "
                    + "  ".join(f"{k} {_fmt(v)}" for k, v in point.items() if k != "articles")
                )
