"""The user guides in ``docs/`` as pages under ``/help/``, for every signed-in user.

The guides are rendered by the guidelines' renderer (raw HTML off, unsafe links refused), and
their links to each other (``review.md``, ``docs/review.md#anchor``) become links to these pages.
A link to a file that is not served here (the engineers' pages: architecture, performance,
deployment, security) keeps its text and loses its target, rather than leading to a 404.

Signed-in only, like every other page of the application: the guides describe this instance's
pages to its users, and anyone else reads them in the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from markdown_it.token import Token

from labels.projects.guidelines import render_markdown

DOCS_DIR = Path(settings.BASE_DIR) / "docs"

# The guides for the people who use the application, in reading order.
GUIDES = ["workspace", "review", "agreement", "schema", "export", "suggestions", "api"]

_DOC_LINK = re.compile(
    r"^(?:\./|\.\./)?(?:docs/)?(?P<name>[a-z][a-z0-9-]*)\.md(?P<anchor>#[\w-]+)?$"
)
_SCREENSHOT = re.compile(r"^(?:\./)?screenshots/(?P<file>[a-z0-9][a-z0-9-]*\.png)$")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.I)


@dataclass(frozen=True)
class Guide:
    name: str
    title: str
    summary: SafeString  # the guide's first paragraph
    body: SafeString


def _help_url(name: str) -> str:
    return reverse("help_page", args=[name])


def _local_target(target: str) -> str | None:
    """Where a relative link or image of a guide points on this site; None when nowhere."""
    if match := _DOC_LINK.match(target):
        if match["name"] in GUIDES:
            return _help_url(match["name"]) + (match["anchor"] or "")
        return None
    if match := _SCREENSHOT.match(target):
        return reverse("help_screenshot", args=[match["file"]])
    return None


def _rewrite(tokens: list[Token]) -> None:
    used_ids: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            # An id on each heading, so that a link can name a section (api/#import-formats).
            base = slugify(tokens[index + 1].content) or "section"
            anchor, n = base, 2
            while anchor in used_ids:
                anchor, n = f"{base}-{n}", n + 1
            used_ids.add(anchor)
            token.attrSet("id", anchor)
        if token.type != "inline" or not token.children:
            continue
        kept: list[Token] = []
        dropped_links = 0
        for child in token.children:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if not _EXTERNAL.match(href):
                    target = _local_target(href)
                    if target is None:
                        dropped_links += 1
                        continue
                    child.attrSet("href", target)
            elif child.type == "link_close" and dropped_links:
                dropped_links -= 1
                continue
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                if not _EXTERNAL.match(src):
                    target = _local_target(src)
                    if target is None:
                        continue
                    child.attrSet("src", target)
            kept.append(child)
        token.children = kept


@cache
def _load(name: str, mtime_ns: int) -> Guide:
    text = (DOCS_DIR / f"{name}.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), name)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    first = next((p for p in paragraphs if not p.startswith(("#", "!", "|", "```"))), "")
    return Guide(
        name=name,
        title=title,
        summary=render_markdown(first, _rewrite),
        body=render_markdown(text, _rewrite),
    )


def guide(name: str) -> Guide:
    """The guide ``name``, rendered once per version of its file; Http404 if it is not served."""
    if name not in GUIDES:
        raise Http404("No such help page.")
    path = DOCS_DIR / f"{name}.md"
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise Http404("No such help page.") from None
    return _load(name, mtime)


@login_required
@require_safe
def help_index(request):
    return render(request, "labels/help.html", {"guides": [guide(n) for n in GUIDES]})


@login_required
@require_safe
def help_page(request, name: str):
    return render(
        request,
        "labels/help.html",
        {"guides": [guide(n) for n in GUIDES], "guide": guide(name)},
    )


@login_required
@require_safe
def help_screenshot(request, filename: str):
    if not _SCREENSHOT.match(f"screenshots/{filename}"):
        raise Http404("No such image.")
    path = DOCS_DIR / "screenshots" / filename
    if not path.is_file():
        raise Http404("No such image.")
    return FileResponse(path.open("rb"), content_type="image/png")
