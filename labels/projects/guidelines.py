"""Project guidelines: Markdown written by a manager, rendered to HTML that is safe in a page."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

from labels.errors import Invalid
from labels.models import Membership, Project

# CommonMark with raw HTML off: any HTML in the source is shown as text. markdown-it's link
# validation refuses javascript:, vbscript:, file: and (non-image) data: targets, so such a link
# stays plain text. Tables are on because guidelines use them for the relation table.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def _cell_open(self, tokens, idx, options, env):
    # markdown-it aligns table cells with style="text-align:…", which the Content-Security-Policy
    # (style-src 'self') refuses; a class does the same through app.css.
    token = tokens[idx]
    style = token.attrs.pop("style", None)
    if isinstance(style, str) and style.startswith("text-align:"):
        token.attrSet("class", "align-" + style.removeprefix("text-align:"))
    return self.renderToken(tokens, idx, options, env)


_MARKDOWN.add_render_rule("th_open", _cell_open)
_MARKDOWN.add_render_rule("td_open", _cell_open)


def render_guidelines(text: str) -> SafeString:
    """HTML for ``text`` (Markdown); safe to insert unescaped into a template."""
    return mark_safe(_MARKDOWN.render(text or ""))


def render_markdown(text: str, rewrite: Callable[[list[Token]], None]) -> SafeString:
    """``render_guidelines`` with ``rewrite`` applied to the parsed tokens before rendering.

    The help pages use it to point links at other pages; ``rewrite`` may change a link's target
    only to a URL of this site, since markdown-it checked the targets while parsing."""
    tokens = _MARKDOWN.parse(text or "")
    rewrite(tokens)
    return mark_safe(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


# The longest guidelines a manager may save: far beyond any real text, short of a pasted file.
MAX_GUIDELINES_CHARS = 200_000


def check_guidelines(text: str) -> str:
    """The guidelines as stored: line endings as LF; Invalid (field ``guidelines``) if too long."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_GUIDELINES_CHARS:
        raise Invalid.one(
            "guidelines",
            "too_long",
            f"The guidelines are {len(text):,} characters long; the limit is "
            f"{MAX_GUIDELINES_CHARS:,}.",
        )
    return text


@transaction.atomic
def do_save_guidelines(project: Project, text: str, *, based_on: int | None = None) -> bool:
    """Save new guidelines and stamp them with the next version and the time; True if they
    changed (the same text again changes nothing).

    Locks the project row, so two saves never get one version. ``based_on`` is the version the
    editor started from: if someone saved since, nothing is written and ``GuidelinesChanged``
    says which version is current, so that one manager never overwrites another's text."""
    text = check_guidelines(text)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if based_on is not None and based_on != locked.guidelines_version:
        raise GuidelinesChanged(locked)
    if text == locked.guidelines:
        return False
    locked.guidelines = text
    locked.guidelines_version += 1
    locked.guidelines_updated_at = timezone.now()
    locked.save(update_fields=["guidelines", "guidelines_version", "guidelines_updated_at"])
    for name in ("guidelines", "guidelines_version", "guidelines_updated_at"):
        setattr(project, name, getattr(locked, name))
    return True


class GuidelinesChanged(Exception):
    """Someone saved the guidelines after the editor opened them; ``project`` is the current row."""

    def __init__(self, project: Project):
        self.project = project
        super().__init__(f"The guidelines were saved as version {project.guidelines_version}.")


def guidelines_unread(project: Project, membership: Membership) -> bool:
    """Whether ``membership`` has not opened the guidelines since they last changed."""
    return bool(project.guidelines_version) and (
        membership.guidelines_seen_version < project.guidelines_version
    )


def do_mark_guidelines_seen(membership: Membership, version: int) -> None:
    """Record that the member read the guidelines as of ``version`` (the one their page showed);
    never beyond the project's current version, never back to an older one."""
    current = Project.objects.filter(pk=membership.project_id).values_list(
        "guidelines_version", flat=True
    )[0]
    seen = min(version, current)
    Membership.objects.filter(pk=membership.pk, guidelines_seen_version__lt=seen).update(
        guidelines_seen_version=seen
    )
    membership.guidelines_seen_version = max(membership.guidelines_seen_version, seen)
