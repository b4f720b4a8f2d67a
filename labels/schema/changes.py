"""What changes between two checked schemas, as stored annotations see it (``plan_change``).

A schema is matched to the one it replaces by the names its span labels and relation types had
before (``was``): the editor sends, for each label and relation type of the new schema in
order, the name it had in the old one, or None for a new one. That is what tells a rename
(Quote → Citation, whose spans follow) from a removal and an addition. Without ``was`` (the
API's ``PATCH``) names are matched as they are.

The plan is pure data; ``labels.annotation.schema_changes`` counts and applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labels.errors import Invalid, Problem
from labels.schema.lookups import Schema

SPAN = "span"
RELATION = "relation"

# What happens to the values of an attribute (AttributeChange.kind).
REMOVED = "removed"  # the attribute is gone: its values are deleted
RETYPED = "retyped"  # same name, another type: the old values are deleted
CHOICES_REMOVED = "choices_removed"  # values that name a removed choice are deleted
NOW_REQUIRED = "now_required"  # spans without a value become incomplete
NEW_REQUIRED = "new_required"  # a new required attribute: every existing span lacks it

#: Kinds whose change deletes stored values.
DROPS_VALUES = (REMOVED, RETYPED, CHOICES_REMOVED)


@dataclass(frozen=True)
class AttributeChange:
    owner: str  # SPAN or RELATION
    label: str  # the label or relation type's name in the old schema (what stored rows carry)
    new_label: str  # … and in the new one
    attribute: str
    kind: str
    choices: tuple[str, ...] = ()  # CHOICES_REMOVED: the removed choices

    @property
    def key(self) -> str:
        """The consent key of a change that deletes values."""
        extra = f":{','.join(self.choices)}" if self.choices else ""
        return f"{self.owner}-attribute:{self.label}.{self.attribute}:{self.kind}{extra}"


@dataclass(frozen=True)
class NarrowedEnds:
    """A kept relation type that may no longer join some labels: its relations from one of
    ``from_labels`` or to one of ``to_labels`` (old names; labels that stay) no longer fit."""

    relation: str  # old name
    new_relation: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"ends:{self.relation}:{','.join(self.from_labels)}:{','.join(self.to_labels)}"


@dataclass
class Plan:
    label_renames: dict[str, str] = field(default_factory=dict)  # old name → new name
    relation_renames: dict[str, str] = field(default_factory=dict)
    added_labels: list[str] = field(default_factory=list)
    removed_labels: list[str] = field(default_factory=list)
    added_relations: list[str] = field(default_factory=list)
    removed_relations: list[str] = field(default_factory=list)
    attributes: list[AttributeChange] = field(default_factory=list)
    narrowed: list[NarrowedEnds] = field(default_factory=list)
    overlap_off: bool = False
    overlap_on: bool = False


def check_was(was: object, old: Schema, new: Schema) -> dict[str, list[str | None]]:
    """Check the editor's ``was`` (``{"span_labels": [...], "relations": [...]}``, one old name
    or None per item of ``new``); None (not sent) matches names as they are."""
    lists = {"span_labels": old["span_labels"], "relations": old["relations"]}
    if was is None:
        old_names = {key: {x["name"] for x in items} for key, items in lists.items()}
        return {
            key: [x["name"] if x["name"] in old_names[key] else None for x in new[key]]
            for key in lists
        }
    if not isinstance(was, dict):
        raise Invalid.one("was", "invalid_type", "was must be an object of two lists.")
    problems: list[Problem] = []
    result: dict[str, list[str | None]] = {}
    for key, items in lists.items():
        names = {x["name"] for x in items}
        given = was.get(key, [])
        if not isinstance(given, list) or len(given) != len(new[key]):
            problems.append(
                Problem(f"was.{key}", "invalid", f"was.{key} needs one entry per item of {key}.")
            )
            continue
        seen: set[str] = set()
        for i, name in enumerate(given):
            if name is not None and (not isinstance(name, str) or name not in names):
                problems.append(
                    Problem(f"was.{key}[{i}]", "unknown", f"{name!r} is not in the old schema.")
                )
            elif name is not None and name in seen:
                problems.append(
                    Problem(f"was.{key}[{i}]", "duplicate", f"{name!r} is named twice.")
                )
            elif name is not None:
                seen.add(name)
        result[key] = list(given)
    if problems:
        raise Invalid(problems)
    return result


def plan_change(old: Schema, new: Schema, was: dict[str, list[str | None]]) -> Plan:
    """The plan of replacing ``old`` by ``new``; both checked, ``was`` from ``check_was``."""
    plan = Plan(
        overlap_off=old["allow_overlap"] and not new["allow_overlap"],
        overlap_on=new["allow_overlap"] and not old["allow_overlap"],
    )
    for key, owner, renames, added, removed in (
        ("span_labels", SPAN, plan.label_renames, plan.added_labels, plan.removed_labels),
        (
            "relations",
            RELATION,
            plan.relation_renames,
            plan.added_relations,
            plan.removed_relations,
        ),
    ):
        old_items = {x["name"]: x for x in old[key]}
        kept: set[str] = set()
        for item, before_name in zip(new[key], was[key], strict=True):
            if before_name is None:
                added.append(item["name"])
                continue
            kept.add(before_name)
            if before_name != item["name"]:
                renames[before_name] = item["name"]
            plan.attributes += _attribute_changes(
                owner, before_name, item["name"], old_items[before_name], item
            )
        removed += [name for name in old_items if name not in kept]
    plan.narrowed = _narrowed_ends(old, new, was, plan)
    return plan


def _narrowed_ends(
    old: Schema, new: Schema, was: dict[str, list[str | None]], plan: Plan
) -> list[NarrowedEnds]:
    """Kept relation types whose From or To lost a label that stays (the relations touching a
    removed label go with its spans)."""
    old_relations = {x["name"]: x for x in old["relations"]}
    out = []
    for item, before_name in zip(new["relations"], was["relations"], strict=True):
        if before_name is None:
            continue
        before = old_relations[before_name]
        lost = []
        for end in ("from", "to"):
            lost.append(
                tuple(
                    name
                    for name in before[end]
                    if name not in plan.removed_labels
                    and plan.label_renames.get(name, name) not in item[end]
                )
            )
        if lost[0] or lost[1]:
            out.append(NarrowedEnds(before_name, item["name"], lost[0], lost[1]))
    return out


def _attribute_changes(
    owner: str, label: str, new_label: str, before: dict[str, Any], after: dict[str, Any]
) -> list[AttributeChange]:
    old_attrs = {a["name"]: a for a in before.get("attributes", [])}
    changes = []
    for attribute in after.get("attributes", []):
        name = attribute["name"]
        previous = old_attrs.pop(name, None)
        required = attribute.get("required", False)
        if previous is None or previous["type"] != attribute["type"]:
            if previous is not None:
                changes.append(AttributeChange(owner, label, new_label, name, RETYPED))
            if required:
                changes.append(AttributeChange(owner, label, new_label, name, NEW_REQUIRED))
            continue
        if attribute["type"] == "choice":
            gone = tuple(c for c in previous["choices"] if c not in attribute["choices"])
            if gone:
                changes.append(
                    AttributeChange(owner, label, new_label, name, CHOICES_REMOVED, gone)
                )
        if required and not previous.get("required", False):
            changes.append(AttributeChange(owner, label, new_label, name, NOW_REQUIRED))
    changes += [AttributeChange(owner, label, new_label, name, REMOVED) for name in old_attrs]
    return changes
