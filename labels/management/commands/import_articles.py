"""python manage.py import_articles --project SLUG [--format native|text|csv|doccano|labelstudio]
[--layer gold|USERNAME|suggestions] [--partial] [--infer-attrs]
[--text-column C --id-column C --title-column C] PATH..."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from labels.errors import ImportConflict, ImportFailed, Invalid
from labels.interop.formats.registry import IMPORT_FORMATS
from labels.interop.reading import ReadOptions
from labels.jobs.indexing import do_import
from labels.models import Project


class Command(BaseCommand):
    # Django's system checks import every URL and view (the API, its schema, the suggesters):
    # most of a second before the first line, for nothing this command uses. `manage.py check`
    # and the servers still run them.
    requires_system_checks: list[str] = []
    help = (
        "Import articles (and optionally their spans) into a project. The whole input is checked "
        "first; nothing is written if any record is bad, unless --partial is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument(
            "--format",
            default="native",
            choices=IMPORT_FORMATS,
            help="Input format (default: native JSONL). See docs/api.md, 'Import formats'.",
        )
        parser.add_argument(
            "--layer",
            default=None,
            help="Where spans in the input go: 'gold', 'suggestions' (proposals shown to the "
            "analysts) or a username (that user's submitted annotation). Without it only the "
            "articles are imported.",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Import the good records and report the bad ones.",
        )
        parser.add_argument(
            "--infer-attrs",
            action="store_true",
            help="Fill a span's missing quote_type from its quotation marks: direct when the "
            "span is one quotation, mixed when it contains one, indirect otherwise. Spans that "
            "still lack a required attribute are imported as incomplete and counted.",
        )
        csv_options = parser.add_argument_group("CSV")
        csv_options.add_argument("--text-column", help="Column holding the text (default: text).")
        csv_options.add_argument(
            "--id-column", help="Column holding the article id (default: id, if there is one)."
        )
        csv_options.add_argument(
            "--title-column", help="Column holding the title (default: title, if there is one)."
        )

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with the slug {options['project']!r}.")
        opened = []
        try:
            for path in options["paths"]:
                try:
                    opened.append((path, open(path, "rb")))  # noqa: SIM115 — closed below
                except OSError as exc:
                    raise CommandError(f"{path}: {exc.strerror}") from None
            report = do_import(
                project,
                opened,
                fmt=options["format"],
                layer=options["layer"],
                partial=options["partial"],
                options=ReadOptions(
                    text_column=options["text_column"],
                    id_column=options["id_column"],
                    title_column=options["title_column"],
                    infer_attrs=options["infer_attrs"],
                ),
            )
        except ImportFailed as exc:
            for line in exc.report.errors:
                self.stderr.write(line)
            raise CommandError(
                f"{len(exc.report.errors)} problem(s) found; nothing was imported. "
                "Fix them, or use --partial to import the good records only."
            ) from None
        except (Invalid, ImportConflict) as exc:
            raise CommandError(str(exc)) from None
        finally:
            for _, handle in opened:
                handle.close()
        for line in report.notes:
            self.stdout.write(line)
        for line in report.skipped:
            self.stdout.write(f"skipped: {line}")
        for line in report.errors:
            self.stderr.write(line)
        self.stdout.write(
            f"{report.created} article(s) created, {report.unchanged} already present; "
            f"{report.layers_added} layer(s) with {report.spans} span(s) and "
            f"{report.relations} relation(s) imported."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} bad record(s) were left out (--partial).")
