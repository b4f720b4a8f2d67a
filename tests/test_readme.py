"""The README's commands work as written on a fresh clone after ``make run``.

Running them for real needs the whole ``make`` environment; what can drift silently is the text:
a target renamed in the Makefile, a command or option renamed in ``manage.py``, a seed file moved,
or a bare ``.venv/bin/python manage.py`` (which uses production's settings and stops asking for
SECRET_KEY). These tests catch each of those.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from labels.pages.help import GUIDES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")

# Shell lines inside the README's ```sh blocks.
SHELL_LINES = [
    line.strip()
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    for line in block.splitlines()
    if line.strip()
]
MANAGE_LINES = [line for line in SHELL_LINES if line.startswith("make manage ")]


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, flags=re.M))


def test_readme_documents_the_commands_through_make_manage():
    assert len(MANAGE_LINES) >= 4, SHELL_LINES
    assert "manage" in _make_targets()
    # The target runs manage.py with what ARGS says, under the Makefile's DEBUG=1 default,
    # without echoing itself (@), so that a command's stdout can be piped or redirected.
    assert re.search(r"^manage:.*\n\t@\$\(PY\) manage\.py \$\(ARGS\)$", MAKEFILE, flags=re.M)
    assert re.search(r"^export DEBUG \?= 1$", MAKEFILE, flags=re.M)


def test_every_make_target_the_readme_names_exists():
    targets = _make_targets()
    named = {m for line in SHELL_LINES for m in re.findall(r"^make ([a-z][a-z-]*)", line)}
    assert named, SHELL_LINES
    assert named <= targets, named - targets


def test_no_readme_command_runs_manage_py_without_the_development_settings():
    bare = [line for line in SHELL_LINES if "manage.py" in line]
    assert bare == []


@pytest.mark.parametrize("line", MANAGE_LINES)
def test_readme_manage_command_parses_with_its_real_options(line):
    words = shlex.split(line)
    assert words[:2] == ["make", "manage"] and len(words) == 3, line
    key, _, args = words[2].partition("=")
    assert key == "ARGS", line
    argv = shlex.split(args)
    name = argv[0]
    commands = get_commands()
    assert name in commands, f"{name} is not a management command"
    command = load_command_class(commands[name], name)
    parser = command.create_parser("manage.py", name)
    # argparse exits (SystemExit) on an unknown option or a missing required one.
    options = parser.parse_args(argv[1:])
    for path in getattr(options, "paths", None) or []:
        assert (ROOT / path).is_file(), f"{line}: {path} does not exist"


def test_readme_says_how_to_choose_the_port_and_the_makefile_honours_it():
    assert "PORT=8080 make run" in README
    assert re.search(r"^PORT \?= 8000$", MAKEFILE, flags=re.M)
    assert "runserver $(HOST):$(PORT)" in MAKEFILE


def test_make_manage_prints_only_the_commands_output():
    # `make manage ARGS="agreement --project SLUG --json" | jq` must see JSON only: make's echo
    # of the recipe would come first. -o: never reinstall the virtualenv from a test.
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "manage", "ARGS=help agreement"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.startswith("usage: manage.py agreement"), result.stdout[:200]


# The user guides served under /help/ (GUIDES): their commands are for the same development
# checkout, so they go through make manage too. docs/deploy.md is for servers.


@pytest.mark.parametrize("name", GUIDES)
def test_the_user_guides_run_management_commands_through_make_manage(name):
    text = (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")
    sh_lines = [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)
        for line in block.splitlines()
        if "manage.py" in line
    ]
    assert sh_lines == [], sh_lines
    # Inline: `python manage.py …` alone stops asking for SECRET_KEY in a checkout.
    bare = re.findall(r"`(?:DEBUG=1 )?(?:\.venv/bin/)?python manage\.py [^`]*`", text)
    on_servers = [b for b in bare if b.startswith("`.venv/bin/python manage.py ") and "…" in b]
    assert bare == on_servers, bare
