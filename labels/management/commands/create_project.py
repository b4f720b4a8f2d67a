"""python manage.py create_project SLUG --name NAME [--schema FILE.json]"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from labels.management.commands._invalid import invalid_as_command_error
from labels.projects.members import do_add_member
from labels.projects.projects import do_create_project


class Command(BaseCommand):
    help = "Create a project, with the default news-attribution schema unless --schema is given."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--schema", help="A schema JSON file (its form: docs/schema.md).")
        parser.add_argument("--annotators-per-article", type=int, default=2)
        parser.add_argument(
            "--open", action="store_true", help="Annotators may see each other's work."
        )
        parser.add_argument("--manager", help="Username to make the project's manager.")

    def handle(self, *args, **options):
        schema = None
        if options["schema"]:
            try:
                with open(options["schema"], encoding="utf-8") as handle:
                    schema = json.load(handle)
            except OSError as exc:
                raise CommandError(f"{options['schema']}: {exc.strerror}") from None
            except json.JSONDecodeError as exc:
                raise CommandError(
                    f"{options['schema']}:{exc.lineno}: not valid JSON ({exc.msg})"
                ) from None
        with invalid_as_command_error(separator="\n"):
            project = do_create_project(
                slug=options["slug"],
                name=options["name"],
                schema=schema,
                annotators_per_article=options["annotators_per_article"],
                blind=not options["open"],
            )
        if options["manager"]:
            user = get_user_model().objects.filter(username=options["manager"]).first()
            if user is None:
                raise CommandError(f"No user named {options['manager']!r}.")
            do_add_member(project, user, "manager")
        self.stdout.write(f"Created project {project.slug} ({project.name}).")
