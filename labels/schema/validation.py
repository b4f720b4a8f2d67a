"""A project's annotation schema: what it may say (``check_schema``).

A schema is plain JSON data stored with the project (DESIGN.md §2)::

    {"id": "news-attribution", "version": 1, "allow_overlap": true,
     "span_labels": [{"name", "color", "hotkey", "description", "attributes"}, ...],
     "relations": [{"name", "from", "to", "description", "attributes"}, ...]}

Attributes are ``{"name", "type", "required", ...}`` where ``type`` is ``choice`` (with
``choices``), ``text`` (with ``max_length``), ``boolean``, ``span`` (with ``labels``: the labels
the referenced span may have; the value is a span id that the caller resolves) or ``speaker``
(the value is the id of a speaker of the project's registry, which the caller resolves:
``labels.speakers.links``).

``check_schema`` validates a schema sent by a manager and returns the normalised copy to store.
``check_span`` and ``check_relation`` (``labels.schema.values``) clean one record's attributes against a stored schema, which
they assume has been through ``check_schema``. Every failure raises ``Invalid`` with all the
problems found. Names are data, never markup: the checks keep ``<``, ``>`` and control characters
out of names, hotkeys and colours, and callers still render them as text only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from labels.errors import Invalid, Problem
from labels.schema.lookups import Schema

# Keys the annotation screen keeps for its own commands; the front-end reads the same tuple.
RESERVED_HOTKEYS: tuple[str, ...] = ("?", " ", *"axlnprdghjkuz")
ATTRIBUTE_TYPES: tuple[str, ...] = ("choice", "text", "boolean", "span", "speaker")
NAME_MAX_LENGTH = 50
SCHEMA_ID_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 1000
CHOICE_MAX_LENGTH = 100
TEXT_DEFAULT_MAX_LENGTH = 500
TEXT_MAX_LENGTH_LIMIT = 10_000

_TOP_LEVEL_KEYS = ("id", "version", "allow_overlap", "span_labels", "relations")
_SPAN_LABEL_KEYS = ("name", "color", "hotkey", "description", "attributes")
_RELATION_KEYS = ("name", "from", "to", "description", "attributes")
_ATTRIBUTE_KEYS = {
    "choice": ("name", "type", "required", "choices"),
    "text": ("name", "type", "required", "max_length"),
    "boolean": ("name", "type", "required"),
    "span": ("name", "type", "required", "labels"),
    "speaker": ("name", "type", "required"),
}
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_MISSING: Any = object()


class _Problems(list[Problem]):
    def add(self, field: str, code: str, message: str) -> None:
        self.append(Problem(field, code, message))


# ---------------------------------------------------------------------------------------------
# Message helpers. Values sent by users are shown shortened and with control characters spelt
# out, so a message never carries a raw newline or escape sequence.


def _show(value: object, limit: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(f"U+{ord(c):04X}" if _is_control(c) else c for c in text)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn")


def _describe(value: object) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _join(items: list[str], conjunction: str) -> str:
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _key_name(key: str) -> str:
    return "space" if key == " " else key


# ---------------------------------------------------------------------------------------------
# check_schema


def check_schema(schema: object) -> Schema:
    """Validate a schema and return its normalised copy; raise ``Invalid`` with every problem.

    The copy has every optional key filled in (``allow_overlap`` true, ``relations`` [],
    ``description`` "", ``hotkey`` None, ``attributes`` [], ``required`` false, ``max_length``
    500 on text attributes) and colours in lower case. The input is not modified.
    """
    if not isinstance(schema, dict):
        raise Invalid.one(
            "", "not_object", f"A schema must be a JSON object, not {_describe(schema)}."
        )
    problems = _Problems()
    _check_unknown_keys(schema, "", _TOP_LEVEL_KEYS, "a schema", problems)

    schema_id = _check_name(
        schema.get("id", _MISSING), "id", "schema id", problems, max_length=SCHEMA_ID_MAX_LENGTH
    )
    version = schema.get("version", _MISSING)
    if version is _MISSING:
        problems.add("version", "required", "The schema needs a version number.")
    elif not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.add(
            "version",
            "invalid_value",
            f"The version must be a whole number from 1 up, not {_show(version)}.",
        )
    allow_overlap = schema.get("allow_overlap", True)
    if not isinstance(allow_overlap, bool):
        problems.add(
            "allow_overlap",
            "invalid_type",
            f"allow_overlap must be true or false, not {_describe(allow_overlap)}.",
        )

    raw_labels = schema.get("span_labels", _MISSING)
    # Every name that was given counts as known, so a badly spelt label is reported once, at its
    # definition, and not again at every reference to it.
    known: list[str] | None = None
    if isinstance(raw_labels, list):
        given = [x.get("name") for x in raw_labels if isinstance(x, dict)]
        known = list(dict.fromkeys(name for name in given if isinstance(name, str)))
    span_labels = _check_span_labels(raw_labels, known, problems)
    relations = _check_relations(schema.get("relations", []), known, problems)

    if problems:
        raise Invalid(problems)
    return {
        "id": schema_id,
        "version": version,
        "allow_overlap": allow_overlap,
        "span_labels": span_labels,
        "relations": relations,
    }


def _check_unknown_keys(
    obj: dict[Any, Any], prefix: str, allowed: tuple[str, ...], what: str, problems: _Problems
) -> None:
    for key in obj:
        if key not in allowed:
            problems.add(
                f"{prefix}{key}",
                "unknown_key",
                f"“{_show(key)}” is not a setting of {what}; the settings are"
                f" {_join(list(allowed), 'and')}.",
            )


def _check_name(
    value: object, field: str, what: str, problems: _Problems, *, max_length: int = NAME_MAX_LENGTH
) -> str | None:
    """Check a name (``what`` is "span label name", "schema id"…); return it if it is usable."""
    if value is _MISSING or value is None:
        problems.add(field, "required", f"The {what} is missing.")
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", f"The {what} must be text, not {_describe(value)}.")
        return None
    if not value.strip():
        problems.add(field, "blank", f"The {what} cannot be empty.")
        return None
    ok = True
    if len(value) > max_length:
        problems.add(
            field,
            "too_long",
            f"The {what} can be at most {max_length} characters; “{_show(value)}” has"
            f" {len(value)}.",
        )
        ok = False
    bad = sorted({c for c in value if not (c in " _-" or unicodedata.category(c)[0] in "LNM")})
    if bad:
        shown = ", ".join(f"“{_show(c)}”" for c in bad)
        problems.add(
            field,
            "invalid_characters",
            f"The {what} may contain only letters, digits, spaces, “_” and “-”;"
            f" “{_show(value)}” contains {shown}.",
        )
        ok = False
    elif value != value.strip():
        problems.add(
            field,
            "invalid_characters",
            f"The {what} cannot begin or end with a space: “{_show(value)}”.",
        )
        ok = False
    return value if ok else None


def _check_duplicate(
    name: str | None,
    index: int,
    seen: dict[str, int],
    field: str,
    what: str,
    container: str,
    problems: _Problems,
) -> None:
    """Names differ ignoring case: "Quote" and "quote" on one screen would only confuse."""
    if name is None:
        return
    key = name.casefold()
    if key in seen:
        problems.add(
            field,
            "duplicate",
            f"There are two {what}s named “{name}” ({container}[{seen[key]}] and"
            f" {container}[{index}]); names must differ, ignoring case.",
        )
    else:
        seen[key] = index


def _check_description(value: object, field: str, problems: _Problems) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(field, "invalid_type", f"A description must be text, not {_describe(value)}.")
        return ""
    if len(value) > DESCRIPTION_MAX_LENGTH:
        problems.add(
            field,
            "too_long",
            f"A description can be at most {DESCRIPTION_MAX_LENGTH} characters;"
            f" this one has {len(value)}.",
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        problems.add(
            field, "invalid_characters", "A description cannot contain control characters."
        )
    return value


def _check_color(value: object, field: str, problems: _Problems) -> str | None:
    if value is _MISSING or value is None:
        problems.add(
            field,
            "required",
            "Every span label needs a colour, written as #rrggbb (for example #2563eb).",
        )
        return None
    if not isinstance(value, str) or not _COLOR.fullmatch(value):
        shown = f"“{_show(value)}”" if isinstance(value, str) else _describe(value)
        problems.add(
            field,
            "invalid_color",
            f"{shown} is not a colour; write # and six hexadecimal digits, for example #2563eb.",
        )
        return None
    return value.lower()


def _check_hotkey(
    value: object, field: str, label: str | None, seen: dict[str, str | None], problems: _Problems
) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(field, "invalid_type", f"A hotkey must be text, not {_describe(value)}.")
        return None
    if len(value) != 1 or not (value.isprintable() or value == " "):
        problems.add(
            field,
            "invalid_hotkey",
            f"A hotkey is one printable key, such as 1 or q; “{_show(value)}” is not.",
        )
        return None
    if value in "<>":
        problems.add(field, "invalid_hotkey", "“<” and “>” cannot be used as hotkeys.")
        return None
    if value in RESERVED_HOTKEYS:
        reserved = ", ".join(_key_name(k) for k in RESERVED_HOTKEYS)
        problems.add(
            field,
            "reserved_hotkey",
            f"“{_key_name(value)}” is kept for the annotation screen's own commands; choose"
            f" another key. The reserved keys are {reserved}.",
        )
        return None
    if value in seen:
        owner = seen[value]
        by = f" by {owner}" if owner else ""
        problems.add(field, "duplicate", f"The hotkey “{value}” is already used{by}.")
        return None
    seen[value] = label
    return value


def _check_span_labels(
    value: object, known: list[str] | None, problems: _Problems
) -> list[dict[str, Any]]:
    if value is _MISSING:
        problems.add("span_labels", "required", "The schema needs span labels.")
        return []
    if not isinstance(value, list):
        problems.add(
            "span_labels",
            "invalid_type",
            f"span_labels must be a list of labels, not {_describe(value)}.",
        )
        return []
    if not value:
        problems.add("span_labels", "empty", "The schema needs at least one span label.")
        return []
    hotkeys: dict[str, str | None] = {}
    return [
        {
            "name": name,
            "color": _check_color(item.get("color", _MISSING), f"{at}.color", problems),
            "hotkey": _check_hotkey(item.get("hotkey"), f"{at}.hotkey", name, hotkeys, problems),
            **_check_description_and_attributes(item, at, known, problems),
        }
        for at, item, name in _named_items(
            value, "span_labels", "a span label", "span label", problems, keys=_SPAN_LABEL_KEYS
        )
    ]


def _check_relations(
    value: object, known: list[str] | None, problems: _Problems
) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(
            "relations",
            "invalid_type",
            f"relations must be a list of relation types, not {_describe(value)}.",
        )
        return []
    return [
        {
            "name": name,
            "from": _check_label_refs(
                item.get("from", _MISSING), f"{at}.from", known, "start from", problems
            ),
            "to": _check_label_refs(
                item.get("to", _MISSING), f"{at}.to", known, "point to", problems
            ),
            **_check_description_and_attributes(item, at, known, problems),
        }
        for at, item, name in _named_items(
            value, "relations", "a relation type", "relation", problems, keys=_RELATION_KEYS
        )
    ]


def _named_items(
    value: list[Any],
    field: str,
    one: str,
    noun: str,
    problems: _Problems,
    *,
    keys: tuple[str, ...] | None = None,
) -> Iterator[tuple[str, dict[Any, Any], str | None]]:
    """Each object of the list ``value`` (at ``field``) with its place and its checked name.

    ``one`` is an item in messages ("a span label"), ``noun`` what its name names ("span
    label"). An item that is not an object is reported and skipped; with ``keys``, keys outside
    them are reported; names must differ, ignoring case (``_check_duplicate``)."""
    container = field.rpartition(".")[2]
    names: dict[str, int] = {}
    for i, item in enumerate(value):
        at = f"{field}[{i}]"
        if not isinstance(item, dict):
            problems.add(
                at, "not_object", f"{one.capitalize()} must be an object, not {_describe(item)}."
            )
            continue
        if keys is not None:
            _check_unknown_keys(item, f"{at}.", keys, one, problems)
        name = _check_name(item.get("name", _MISSING), f"{at}.name", f"{noun} name", problems)
        _check_duplicate(name, i, names, f"{at}.name", noun, container, problems)
        yield at, item, name


def _check_description_and_attributes(
    item: dict[Any, Any], at: str, known: list[str] | None, problems: _Problems
) -> dict[str, Any]:
    """The two settings that span labels and relation types share."""
    return {
        "description": _check_description(item.get("description"), f"{at}.description", problems),
        "attributes": _check_attributes(
            item.get("attributes"), f"{at}.attributes", known, problems
        ),
    }


def _check_label_refs(
    value: object, field: str, known: list[str] | None, purpose: str, problems: _Problems
) -> list[str]:
    """A non-empty list of span label names. ``known`` is None when the labels themselves are
    unreadable, and then references are not checked against them."""
    if value is _MISSING or value is None:
        problems.add(field, "required", f"Say which span labels this may {purpose}.")
        return []
    if not isinstance(value, list):
        problems.add(
            field,
            "invalid_type",
            f"This must be a list of span label names, not {_describe(value)}.",
        )
        return []
    if not value:
        problems.add(field, "empty", f"Name at least one span label this may {purpose}.")
        return []
    result: list[str] = []
    for i, ref in enumerate(value):
        at = f"{field}[{i}]"
        if not isinstance(ref, str):
            problems.add(
                at, "invalid_type", f"A span label name must be text, not {_describe(ref)}."
            )
        elif known is not None and ref not in known:
            hint = next((k for k in known if k.casefold() == ref.casefold()), None)
            suggestion = (
                f" Did you mean “{hint}”?"
                if hint
                else f" The span labels are {_join(known, 'and')}."
            )
            problems.add(
                at, "unknown_label", f"There is no span label named “{_show(ref)}”.{suggestion}"
            )
        elif ref in result:
            problems.add(at, "duplicate", f"“{ref}” is listed twice.")
        else:
            result.append(ref)
    return result


def _check_attributes(
    value: object, field: str, known: list[str] | None, problems: _Problems
) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(field, "invalid_type", f"attributes must be a list, not {_describe(value)}.")
        return []
    result = []
    for at, item, name in _named_items(value, field, "an attribute", "attribute", problems):
        required = item.get("required", False)
        if not isinstance(required, bool):
            problems.add(
                f"{at}.required",
                "invalid_type",
                f"required must be true or false, not {_describe(required)}.",
            )
        kind = item.get("type", _MISSING)
        if kind is _MISSING:
            problems.add(
                f"{at}.type",
                "required",
                f"Every attribute needs a type: {_join(list(ATTRIBUTE_TYPES), 'or')}.",
            )
            continue
        if kind not in ATTRIBUTE_TYPES:
            problems.add(
                f"{at}.type",
                "unknown_type",
                f"“{_show(kind)}” is not an attribute type; use"
                f" {_join(list(ATTRIBUTE_TYPES), 'or')}.",
            )
            continue
        _check_unknown_keys(item, f"{at}.", _ATTRIBUTE_KEYS[kind], f"a {kind} attribute", problems)
        attribute: dict[str, Any] = {"name": name, "type": kind, "required": required}
        if kind == "choice":
            attribute["choices"] = _check_choices(
                item.get("choices", _MISSING), f"{at}.choices", problems
            )
        elif kind == "text":
            attribute["max_length"] = _check_max_length(
                item.get("max_length", TEXT_DEFAULT_MAX_LENGTH), f"{at}.max_length", problems
            )
        elif kind == "span":
            attribute["labels"] = _check_label_refs(
                item.get("labels", _MISSING), f"{at}.labels", known, "refer to", problems
            )
        result.append(attribute)
    return result


def _check_choices(value: object, field: str, problems: _Problems) -> list[str]:
    if value is _MISSING or value is None:
        problems.add(field, "required", "A choice attribute needs a list of choices.")
        return []
    if not isinstance(value, list):
        problems.add(
            field, "invalid_type", f"choices must be a list of texts, not {_describe(value)}."
        )
        return []
    if not value:
        problems.add(field, "empty", "A choice attribute needs at least one choice.")
        return []
    seen: dict[str, int] = {}
    result: list[str] = []
    for i, choice in enumerate(value):
        at = f"{field}[{i}]"
        if not isinstance(choice, str):
            problems.add(at, "invalid_type", f"A choice must be text, not {_describe(choice)}.")
        elif not choice.strip():
            problems.add(at, "blank", "A choice cannot be empty.")
        elif len(choice) > CHOICE_MAX_LENGTH:
            problems.add(
                at,
                "too_long",
                f"A choice can be at most {CHOICE_MAX_LENGTH} characters; this one has"
                f" {len(choice)}.",
            )
        elif any(_is_control(c) for c in choice):
            problems.add(at, "invalid_characters", "A choice cannot contain control characters.")
        elif choice.casefold() in seen:
            problems.add(
                at,
                "duplicate",
                f"“{choice}” is already choice {seen[choice.casefold()] + 1}; choices must"
                " differ, ignoring case.",
            )
        else:
            seen[choice.casefold()] = i
            result.append(choice)
    return result


def _check_max_length(value: object, field: str, problems: _Problems) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 1 <= value <= TEXT_MAX_LENGTH_LIMIT
    ):
        problems.add(
            field,
            "invalid_value",
            f"max_length must be a whole number from 1 to {TEXT_MAX_LENGTH_LIMIT},"
            f" not {_show(value)}.",
        )
        return TEXT_DEFAULT_MAX_LENGTH
    return value
