"""python manage.py export_annotations --project SLUG --format … [filters] [-o PATH]

Writes to stdout when -o is missing, so the output can be piped. With -o the export goes to a
temporary file next to PATH that is renamed to PATH only once it is complete: an interrupted or
failed export leaves no half-written file behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from labels.errors import ExportError
from labels.interop.exporting import prepare_export
from labels.interop.formats.registry import WRITERS
from labels.interop.records import LAYERS
from labels.management.commands._invalid import invalid_as_command_error
from labels.models import Project


class Command(BaseCommand):
    # Django's system checks import every URL and view (the API, its schema, the suggesters):
    # most of a second before the first line, for nothing this command uses. `manage.py check`
    # and the servers still run them.
    requires_system_checks: list[str] = []
    help = (
        "Export a project's annotations as native JSONL or another tool's format "
        "(see docs/export.md). Streams from the database in constant memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="Project slug.")
        parser.add_argument("--format", default="native", choices=list(WRITERS))
        parser.add_argument(
            "--layer",
            default="gold",
            choices=LAYERS,
            help="gold (default), annotators (every analyst's layer), or all.",
        )
        parser.add_argument(
            "--status",
            default=None,
            help="Comma-separated annotation statuses (default: submitted,reviewed). Drafts and "
            "skipped annotations are exported only when named here.",
        )
        parser.add_argument("--labels", default=None, help="Keep only these span labels.")
        parser.add_argument(
            "--since", default=None, help="Only annotations changed at or after this ISO time."
        )
        parser.add_argument(
            "--split",
            default=None,
            help="Ratios of a deterministic train,dev,test split, e.g. 80,10,10 (or 90,10).",
        )
        parser.add_argument(
            "--lang",
            default=None,
            help="spaCy language of the tokenizer for spacy/hf/prodigy/conll (default xx).",
        )
        parser.add_argument("-o", "--output", default=None, help="Write here instead of stdout.")

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with the slug {options['project']!r}.")
        params = {
            name: options[name]
            for name in ("format", "layer", "status", "labels", "since", "split", "lang")
            if options[name] is not None
        }
        with invalid_as_command_error():
            prepared = prepare_export(project, params)
        output = options["output"]
        try:
            if output:
                self._to_file(prepared, Path(output))
            else:
                self._to_stdout(prepared, options.get("stdout") or sys.stdout)
        except ExportError as exc:
            raise CommandError(f"Export stopped: {exc}") from None
        for what, count in prepared.context.counts.items():
            if what == "incomplete":
                self.stderr.write(
                    f"{count} span(s) lack a required attribute (imported from a tool without "
                    "it, or made required later); the native export lists them in each "
                    'record\'s "incomplete".'
                )
            if what == "bio_overlap":
                self.stderr.write(
                    f"{count} span(s) overlap another span of the same label and could not be "
                    "expressed as BIO tags; they are left out of the tag columns."
                )

    def _to_file(self, prepared, path: Path) -> None:
        directory = path.parent if str(path.parent) else Path(".")
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 — renamed or removed below
            dir=directory, prefix=f".{path.name}.", suffix=".part", delete=False
        )
        try:
            with handle:
                for chunk in prepared:
                    handle.write(chunk)
            os.replace(handle.name, path)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise

    def _to_stdout(self, prepared, stream) -> None:
        binary = getattr(stream, "buffer", None)
        try:
            if binary is not None:
                stream.flush()
                for chunk in prepared:
                    binary.write(chunk)
                binary.flush()
            elif prepared.content_type.startswith("application/zip"):
                raise CommandError("This format is binary: give -o PATH, or pipe stdout.")
            else:
                for chunk in prepared:
                    stream.write(chunk.decode())
        except BrokenPipeError:
            # The reader went away (``| head``); that is not an error of the export.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
