"""Project guidelines: Markdown written by a manager, rendered to HTML that is safe in a page."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

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
