"""The deterministic held-out part of a gold corpus, chosen by article id."""

from __future__ import annotations

import hashlib

#: One article in ``HELD_OUT_EVERY`` is held out for evaluation.
HELD_OUT_EVERY = 5


def is_held_out(article_id: str) -> bool:
    """Whether the article with this id (as imported) belongs to the held-out part.

    A hash of the id, not its position, decides: the split does not change when articles are
    added, reordered or removed, and is the same on every machine.
    """
    digest = hashlib.sha256(article_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % HELD_OUT_EVERY == 0
