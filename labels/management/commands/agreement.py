"""python manage.py agreement --project SLUG [--json] [--articles]

Computes the project's inter-annotator agreement now (the figures the dashboard shows) and stores
it as the project's snapshot, so the dashboard shows the same figures afterwards.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from labels.agreement import snapshots
from labels.agreement.snapshots import fmt
from labels.models import Project


class Command(BaseCommand):
    help = (
        "Compute inter-annotator agreement of a project (per label and per annotator pair: exact "
        "and overlap span F1, token-level Krippendorff's α, Cohen's κ per attribute, relation "
        "F1; and each annotator against reviewed gold) and store it for the dashboard."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument(
            "--articles",
            action="store_true",
            help="With --json, include each article's score (mean overlap F1 over its pairs).",
        )

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with the slug {options['project']!r}.")
        snapshot = snapshots.refresh(project)
        data = snapshot.data
        report = data["agreement"]
        if options["json"]:
            out = {
                "project": project.slug,
                "computed_at": snapshot.computed_at,
                "iou_threshold": report["iou_threshold"],
                "annotators": report["annotators"],
                "labels": report["labels"],
                "overall": report["overall"],
                "pairs": report["pairs"],
                "gold": data["gold"],
            }
            if options["articles"]:
                out["articles"] = report["articles"]
            self.stdout.write(json.dumps(out, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        self._print_tables(project, snapshot, data)

    def _print_tables(self, project, snapshot, data) -> None:
        report = data["agreement"]
        write = self.stdout.write
        write(
            f"Agreement in {project.slug}: {len(report['annotators'])} annotators, "
            f"{sum(1 for s in report['articles'].values() if s is not None)} articles compared, "
            f"overlap at IoU ≥ {report['iou_threshold']} ({snapshot.duration_ms} ms)."
        )
        header = f"{'':<24}{'exact F1':>10}{'overlap F1':>12}{'alpha':>9}"
        write("\nPer label\n" + header + "   kappa per attribute")
        for label in data["labels"]:
            figures = report["labels"][label]
            kappas = ", ".join(f"{a} {fmt(k)}" for a, k in figures["kappa"].items())
            write(f"{label:<24}" + self._row(figures) + f"   {kappas or '—'}")
        write(f"{'All labels':<24}" + self._row(report["overall"]))
        write(f"Relation F1: {fmt(report['overall']['relation_f1'])}")
        write("\nPer annotator pair\n" + header + f"{'relation F1':>13}{'articles':>10}")
        for key, figures in report["pairs"].items():
            write(
                f"{key.replace('|', ' – '):<24}"
                + self._row(figures)
                + f"{fmt(figures['relation_f1']):>13}{figures['articles']:>10}"
            )
        gold = data["gold"]["annotators"]
        if gold:
            write("\nAgainst reviewed gold (overlap)\n" + f"{'':<24}{'P':>8}{'R':>8}{'F1':>8}")
            for name, figures in gold.items():
                o = figures["overlap"]
                write(f"{name:<24}{fmt(o['precision']):>8}{fmt(o['recall']):>8}{fmt(o['f1']):>8}")

    @staticmethod
    def _row(figures) -> str:
        return f"{fmt(figures['exact_f1']):>10}{fmt(figures['overlap_f1']):>12}{fmt(figures['alpha']):>9}"
