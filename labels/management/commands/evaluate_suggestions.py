"""python manage.py evaluate_suggestions --project SLUG [--model SLUG] [--json]

Scores the built-in suggester against the gold layer of every article of the project that has
one: precision, recall and F1 per label, exact and with overlap matching (one to one by
character IoU >= 0.5, as in the agreement report). ``--json`` prints exactly
``{"Quote": {"exact": {"precision", "recall", "f1"}, "overlap": {…}}, …}``. ``--model SLUG``
scores what a project would get from the latest model trained on project SLUG together with
the rules, instead of the rules alone.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from labels.models import Annotation, Project, Span
from labels.suggestions.evaluation import evaluate
from labels.suggestions.training import combined, latest_model


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


class Command(BaseCommand):
    help = (
        "Compare the built-in suggester with the gold layer of every article of a project that "
        "has one: precision, recall and F1 per label, exact and overlap."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument(
            "--model",
            default="",
            help="Slug of the project whose latest trained model is used with the rules.",
        )

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with the slug {options['project']!r}.")
        golds = (
            Annotation.objects.gold()
            .filter(article__project=project)
            .select_related("article")
            .prefetch_related(
                Prefetch(
                    "spans", queryset=Span.objects.only("annotation_id", "label", "start", "end")
                )
            )
            .order_by("article_id")
        )
        pairs = [
            (
                gold.article.text,
                [
                    {"id": str(s.pk), "label": s.label, "start": s.start, "end": s.end}
                    for s in gold.spans.all()
                ],
            )
            for gold in golds
        ]
        if not pairs:
            raise CommandError(f"No article of {project.slug} has a gold layer to compare with.")
        predict = None
        stored = None
        if options["model"]:
            stored = latest_model(options["model"])
            if stored is None:
                raise CommandError(f"Project {options['model']!r} has no trained model.")
            predict = combined(stored.model)
        scores = evaluate(pairs, project.schema, predict=predict)
        if options["json"]:
            self.stdout.write(json.dumps(scores, indent=2))
            return
        gold_counts: dict[str, int] = {}
        for _, spans in pairs:
            for span in spans:
                gold_counts[span["label"]] = gold_counts.get(span["label"], 0) + 1
        write = self.stdout.write
        who = f"Model {stored.name} with the rules" if stored else "Built-in suggester"
        write(
            f"{who} against the gold layer of {len(pairs)} article(s) of "
            f"{project.slug}; overlap = one to one by character IoU ≥ 0.5."
        )
        write(f"{'label':<10}{'gold':>6}  {'match':<9}{'precision':>10}{'recall':>8}{'F1':>7}")
        for label, by_kind in scores.items():
            for kind in ("exact", "overlap"):
                figures = by_kind[kind]
                write(
                    f"{label:<10}{gold_counts.get(label, 0):>6}  {kind:<9}"
                    f"{_fmt(figures['precision']):>10}{_fmt(figures['recall']):>8}"
                    f"{_fmt(figures['f1']):>7}"
                )
