"""python manage.py invite_user USERNAME [--email E] [--project SLUG --role ROLE] [--base-url URL]

Creates the account without a usable password and prints the one-time link at which the invitee
chooses one. Send it to them yourself; Annotator does not send mail.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from labels.management.commands._invalid import invalid_as_command_error
from labels.models import Project, Role
from labels.projects.members import do_invite_user, password_set_link


class Command(BaseCommand):
    help = "Create a user who sets their own password through a one-time link (no self sign-up)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--project", help="Slug of a project to add the user to.")
        parser.add_argument("--role", choices=Role.values, help="Their role in --project.")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("ANNOTATOR_BASE_URL", "http://127.0.0.1:8000"),
            help="Where users reach Annotator (default: $ANNOTATOR_BASE_URL or "
            "http://127.0.0.1:8000).",
        )

    def handle(self, *args, **options):
        project = None
        if options["project"]:
            project = Project.objects.filter(slug=options["project"]).first()
            if project is None:
                raise CommandError(f"No project with the slug {options['project']!r}.")
        with invalid_as_command_error():
            user = do_invite_user(
                username=options["username"],
                email=options["email"],
                project=project,
                role=options["role"],
            )
        days = settings.PASSWORD_RESET_TIMEOUT / 86400
        where = f" as {options['role']} in {project.slug}" if project else ""
        self.stderr.write(
            f"Created {user.username}{where}. Send them this link to choose a password "
            f"(valid for {days:g} days, once):"
        )
        self.stdout.write(password_set_link(user, options["base_url"]))
