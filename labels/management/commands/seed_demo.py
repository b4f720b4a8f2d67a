"""python manage.py seed_demo — the demo projects and users described in seeds/demo.json.

Idempotent: users, projects and memberships that exist are left as they are (passwords are not
reset), and re-importing the same articles changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from labels.errors import ImportFailed
from labels.jobs.indexing import do_import
from labels.models import Membership, Project
from labels.projects.projects import do_create_project
from labels.speakers.resolve import do_link_guessed
from labels.speakers.transfer import do_import_registry

SEEDS = Path(settings.BASE_DIR) / "seeds"


class Command(BaseCommand):
    help = "Create (or complete) the demo projects and users from seeds/demo.json."

    def add_arguments(self, parser):
        parser.add_argument("--seeds", default=str(SEEDS), help="Folder holding demo.json.")
        parser.add_argument(
            "--show-logins",
            metavar="URL",
            help="Finish by printing the demo logins for this address.",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        seeds = Path(options["seeds"])
        config = json.loads((seeds / "demo.json").read_text(encoding="utf-8"))
        User = get_user_model()
        users = {}
        for spec in config["users"]:
            user = User.objects.filter(username=spec["username"]).first()
            if user is None:
                user = User.objects.create_user(
                    username=spec["username"],
                    password=spec["password"],
                    first_name=spec.get("first_name", ""),
                    last_name=spec.get("last_name", ""),
                )
                self.stdout.write(f"Created user {user.username}.")
            users[spec["username"]] = (user, spec["role"])
        for spec in config["projects"]:
            project = Project.objects.filter(slug=spec["slug"]).first()
            if project is None:
                guidelines = (
                    (seeds / spec["guidelines"]).read_text(encoding="utf-8")
                    if spec.get("guidelines")
                    else ""
                )
                project = do_create_project(
                    slug=spec["slug"],
                    name=spec["name"],
                    description=spec.get("description", ""),
                    guidelines=guidelines,
                    annotators_per_article=spec.get("annotators_per_article", 2),
                    blind=spec.get("blind", True),
                )
                self.stdout.write(f"Created project {project.slug}.")
            for user, role in users.values():
                Membership.objects.get_or_create(
                    project=project, user=user, defaults={"role": role}
                )
            for item in spec.get("imports", []):
                paths = sorted(p for pattern in item["paths"] for p in seeds.glob(pattern))
                handles = [(p.name, p.open("rb")) for p in paths]
                try:
                    report = do_import(
                        project, handles, fmt=item["format"], layer=item.get("layer")
                    )
                except ImportFailed as exc:
                    raise CommandError("\n".join(exc.report.errors)) from None
                finally:
                    for _, handle in handles:
                        handle.close()
                if report.created or report.layers_added:
                    self.stdout.write(
                        f"{project.slug}: {report.created} article(s), {report.layers_added} layer(s) imported."
                    )
            self._seed_speakers(project, seeds, users)
        self.stdout.write("Demo ready.")
        if options["show_logins"]:
            self.stdout.write(f"\nDemo logins for {options['show_logins']}")
            for spec in config["users"]:
                self.stdout.write(f"  {spec['username']:<8} {spec['password']:<18} {spec['role']}")
            self.stdout.write("")

    def _seed_speakers(self, project, seeds: Path, users) -> None:
        """The speaker registry of seeds/speakers.jsonl, once (a registry that has speakers is
        left alone), and the gold Sources linked to the speakers they name."""
        registry_file = seeds / "speakers.jsonl"
        if not registry_file.exists() or project.speakers.exists():
            return
        manager = next((u for u, role in users.values() if role == "manager"), None)
        report = do_import_registry(
            project, manager, registry_file.name, registry_file.read_bytes()
        )
        linked = do_link_guessed(project, project_layers(project))
        self.stdout.write(
            f"{project.slug}: {report['created']} speaker(s), {linked} gold source(s) linked."
        )


def project_layers(project):
    from labels.models import Annotation

    return Annotation.objects.filter(article__project=project, is_gold=True)
