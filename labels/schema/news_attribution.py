"""The default schema, "news-attribution" (DESIGN.md §2)."""

from __future__ import annotations

import copy

from labels.schema.lookups import Schema

DEFAULT_SCHEMA: Schema = {
    "id": "news-attribution",
    "version": 1,
    "allow_overlap": True,
    "span_labels": [
        {
            "name": "Quote",
            "color": "#2563eb",
            "hotkey": "1",
            "description": "Reported speech or writing, direct or paraphrased",
            "attributes": [
                {
                    "name": "quote_type",
                    "type": "choice",
                    "required": True,
                    "choices": ["direct", "indirect", "mixed"],
                }
            ],
        },
        {
            "name": "Source",
            "color": "#0d9488",
            "hotkey": "2",
            "description": (
                "The mention of who is quoted or holds a stance: a name, a pronoun,"
                " “the Kremlin”, “AFP”"
            ),
            "attributes": [
                {
                    "name": "source_type",
                    "type": "choice",
                    "required": False,
                    "choices": [
                        "person",
                        "organization",
                        "government",
                        "news_agency",
                        "document",
                        "anonymous",
                        "other",
                    ],
                },
                {"name": "speaker", "type": "speaker", "required": False},
            ],
        },
        {
            "name": "Cue",
            "color": "#475569",
            "hotkey": "3",
            "description": "The reporting expression: “said”, “told”, “according to”, “quoted by”",
            "attributes": [],
        },
        {
            "name": "Claim",
            "color": "#b45309",
            "hotkey": "4",
            "description": "A checkable assertion",
            "attributes": [
                {
                    "name": "checkworthy",
                    "type": "choice",
                    "required": False,
                    "choices": ["yes", "no"],
                }
            ],
        },
        {
            "name": "Stance",
            "color": "#c026d3",
            "hotkey": "5",
            "description": "An expression of position",
            "attributes": [
                {
                    "name": "polarity",
                    "type": "choice",
                    "required": True,
                    "choices": ["favor", "against", "neutral"],
                },
                {"name": "target", "type": "text", "required": False, "max_length": 500},
            ],
        },
    ],
    "relations": [
        {
            "name": "attributed_to",
            "from": ["Quote", "Claim"],
            "to": ["Source"],
            "description": "The source the content is attributed to, optionally with its cue",
            "attributes": [{"name": "cue", "type": "span", "required": False, "labels": ["Cue"]}],
        },
        {
            "name": "relayed_by",
            "from": ["Quote", "Claim"],
            "to": ["Source"],
            "description": "A source that passes the content on, as in “…, quoted by AFP”",
            "attributes": [],
        },
        {
            "name": "held_by",
            "from": ["Stance"],
            "to": ["Source"],
            "description": "Who holds the stance",
            "attributes": [],
        },
        {
            "name": "toward",
            "from": ["Stance"],
            "to": ["Quote", "Claim", "Source"],
            "description": "What the stance is about",
            "attributes": [],
        },
    ],
}


def default_schema() -> Schema:
    """A fresh copy of the "news-attribution" schema; ``DEFAULT_SCHEMA`` itself must not change."""
    return copy.deepcopy(DEFAULT_SCHEMA)
