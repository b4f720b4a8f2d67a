"""Merging layers into review candidates, pure: versions, agreement classes, provenance."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from labels import schema as schema_mod
from labels.agreement.measures import SpanRec, iou, match_overlap
from labels.models import Provenance

IOU_THRESHOLD = 0.5
#: Annotator layers that take part in review: the work an annotator finished.
COMMENT_MAX_LENGTH = 2000

UNANIMOUS, MAJORITY, MINORITY = "unanimous", "majority", "minority"
OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"


# ---------------------------------------------------------------------------------------------
# Plain records and the pure rules


@dataclass(frozen=True)
class LayerItem:
    """The fields that open both a span and a relation of an annotator's layer, in this order."""

    id: int
    annotator: str
    label: str


@dataclass(frozen=True)
class LayerSpan(LayerItem):
    start: int
    end: int
    text: str
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class LayerRelation(LayerItem):
    source: int
    target: int
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class GoldSpan:
    id: int
    label: str
    start: int
    end: int


def attrs_key(attrs: dict[str, Any] | None) -> str:
    """Attributes compared as canonical JSON; an unset value (None or "") counts as absent."""
    kept = {k: v for k, v in (attrs or {}).items() if v not in (None, "")}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)


def attributes_set(attrs: dict[str, Any] | None) -> int:
    """How many attributes have a value (None and "" count as unset, as in ``attrs_key``)."""
    return sum(v not in (None, "") for v in (attrs or {}).values())


def content_key(label: str, start: int, end: int, attrs: dict[str, Any] | None) -> tuple:
    return (label, start, end, attrs_key(attrs))


@dataclass
class Version:
    label: str
    start: int
    end: int
    text: str
    attrs: dict[str, Any]
    annotators: list[str]
    spans: list[int]

    @property
    def key(self) -> tuple:
        return content_key(self.label, self.start, self.end, self.attrs)


def classify(counts: Sequence[int], n_layers: int) -> str:
    """Agreement class of a candidate whose versions were marked by ``counts`` annotators each
    (most first), when ``n_layers`` annotators submitted the article."""
    top = counts[0] if counts else 0
    if n_layers >= 2 and len(counts) == 1 and top == n_layers:
        return UNANIMOUS
    if n_layers >= 2 and 2 * top > n_layers:
        return MAJORITY
    return MINORITY


@dataclass
class Candidate:
    key: str
    label: str
    versions: list[Version]
    agreement: str
    status: str = OPEN
    gold_span: int | None = None

    @property
    def start(self) -> int:
        return self.versions[0].start

    @property
    def end(self) -> int:
        return self.versions[0].end

    @property
    def disputed(self) -> bool:
        return self.agreement != UNANIMOUS

    @property
    def span_ids(self) -> list[int]:
        return [s for v in self.versions for s in v.spans]

    @property
    def annotators(self) -> list[str]:
        return sorted({a for v in self.versions for a in v.annotators})

    def version_with(self, span_id: int) -> Version | None:
        return next((v for v in self.versions if span_id in v.spans), None)

    def agreeing(self, key: tuple) -> list[str]:
        """The annotators whose version is exactly ``key`` (see ``content_key``)."""
        return next((list(v.annotators) for v in self.versions if v.key == key), [])


def provenance_for(key: tuple, candidate: Candidate | None, n_layers: int) -> tuple[str, list[str]]:
    """Provenance and ``agreed_by`` of a gold span with content ``key`` that resolves
    ``candidate`` (None: added by the reviewer, resolving nothing)."""
    if candidate is None:
        return Provenance.REVIEWER, []
    agreed = candidate.agreeing(key)
    if n_layers >= 2 and len(agreed) == n_layers:
        return Provenance.UNANIMOUS, agreed
    if n_layers >= 2 and 2 * len(agreed) > n_layers:
        return Provenance.MAJORITY, agreed
    return Provenance.ADJUDICATED, agreed


class _Groups:
    """Union-find over span ids."""

    def __init__(self, ids: Iterable[int]):
        self.parent = {i: i for i in ids}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _overlapping_chunks(
    spans_a: Sequence[SpanRec], spans_b: Sequence[SpanRec]
) -> Iterable[tuple[list[SpanRec], list[SpanRec]]]:
    """The two layers' spans cut, per label, into runs that no span crosses. ``match_overlap``
    only ever pairs overlapping spans of one label, so matching run by run gives its result
    without comparing every span with every other (an article can hold hundreds of Cues)."""
    tagged = sorted(
        [(s.label, s.start, s.end, 0, s) for s in spans_a]
        + [(s.label, s.start, s.end, 1, s) for s in spans_b],
        key=lambda t: t[:4],
    )
    chunk: tuple[list[SpanRec], list[SpanRec]] = ([], [])
    label, reach = None, -1
    for span_label, start, end, side, span in tagged:
        if span_label != label or start >= reach:
            if chunk[0] and chunk[1]:
                yield chunk
            chunk, label, reach = ([], []), span_label, end
        chunk[side].append(span)
        reach = max(reach, end)
    if chunk[0] and chunk[1]:
        yield chunk


def build_candidates(
    spans: Sequence[LayerSpan], n_layers: int, threshold: float = IOU_THRESHOLD
) -> list[Candidate]:
    """Group the annotators' spans into candidates, in text order (see the module docstring)."""
    by_annotator: dict[str, list[SpanRec]] = defaultdict(list)
    for s in spans:
        by_annotator[s.annotator].append(SpanRec(str(s.id), s.label, s.start, s.end))
    groups = _Groups(s.id for s in spans)
    for a, b in combinations(sorted(by_annotator), 2):
        for chunk_a, chunk_b in _overlapping_chunks(by_annotator[a], by_annotator[b]):
            for x, y in match_overlap(chunk_a, chunk_b, threshold):
                groups.union(int(x.id), int(y.id))
    members: dict[int, list[LayerSpan]] = defaultdict(list)
    for s in spans:
        members[groups.find(s.id)].append(s)
    candidates = []
    for group in members.values():
        versions: dict[tuple, Version] = {}
        for s in sorted(group, key=lambda s: (s.annotator, s.id)):
            key = content_key(s.label, s.start, s.end, s.attrs)
            version = versions.get(key)
            if version is None:
                version = versions[key] = Version(
                    s.label, s.start, s.end, s.text, dict(s.attrs), [], []
                )
            version.annotators.append(s.annotator)
            version.spans.append(s.id)
        # The version a reviewer's "accept" takes by default comes first: the majority's, then
        # the one with more attributes set (the more complete reading), then text order.
        ordered = sorted(
            versions.values(),
            key=lambda v: (
                -len(v.annotators),
                -attributes_set(v.attrs),
                v.start,
                -v.end,
                v.spans[0],
            ),
        )
        candidates.append(
            Candidate(
                key=f"s{min(s.id for s in group)}",
                label=ordered[0].label,
                versions=ordered,
                agreement=classify([len(set(v.annotators)) for v in ordered], n_layers),
            )
        )
    candidates.sort(key=lambda c: (c.start, -c.end, c.label, c.key))
    return candidates


def match_gold(
    candidates: Sequence[Candidate], gold: Sequence[GoldSpan], threshold: float = IOU_THRESHOLD
) -> dict[int, str]:
    """Pair gold spans with the candidates they resolve: same label, best IoU against any of the
    candidate's versions at least ``threshold``; greedy by IoU, one-to-one. Returns
    ``{gold span id: candidate key}``."""
    by_label: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_label[c.label].append(c)
    pairs = []
    for g in gold:
        rec = SpanRec("g", g.label, g.start, g.end)
        for c in by_label.get(g.label, ()):
            if max(v.end for v in c.versions) <= g.start or g.end <= min(
                v.start for v in c.versions
            ):
                continue
            best = max(iou(rec, SpanRec("v", v.label, v.start, v.end)) for v in c.versions)
            if best >= threshold:
                pairs.append((-best, g.start, g.id, c.key))
    pairs.sort()
    used_gold: set[int] = set()
    used_candidates: set[str] = set()
    matched = {}
    for _, _, gold_id, key in pairs:
        if gold_id not in used_gold and key not in used_candidates:
            used_gold.add(gold_id)
            used_candidates.add(key)
            matched[gold_id] = key
    return matched


@dataclass
class RelationVersion:
    attrs: dict[str, Any]  # span-valued attributes hold candidate keys
    annotators: list[str]
    relations: list[int]


@dataclass
class RelationCandidate:
    key: str
    label: str
    source: str  # candidate keys
    target: str
    versions: list[RelationVersion]
    agreement: str
    status: str = OPEN
    gold_relation: int | None = None

    @property
    def disputed(self) -> bool:
        return self.agreement != UNANIMOUS

    @property
    def relation_ids(self) -> list[int]:
        return [r for v in self.versions for r in v.relations]

    def version_with(self, relation_id: int) -> RelationVersion | None:
        return next((v for v in self.versions if relation_id in v.relations), None)


def build_relation_candidates(
    relations: Sequence[LayerRelation],
    span_candidate: dict[int, str],
    n_layers: int,
    schema: dict,
) -> list[RelationCandidate]:
    """Group the layers' relations by label and the candidates at their two ends; versions by
    attributes (a span-valued attribute such as ``cue`` compared by the candidate it names)."""
    grouped: dict[tuple[str, str, str], dict[str, RelationVersion]] = defaultdict(dict)
    for r in sorted(relations, key=lambda r: (r.annotator, r.id)):
        source, target = span_candidate.get(r.source), span_candidate.get(r.target)
        if source is None or target is None:
            continue
        span_attrs = schema_mod.span_ref_names(schema, r.label)
        attrs = {
            name: span_candidate.get(value, value) if name in span_attrs else value
            for name, value in r.attrs.items()
        }
        versions = grouped[(r.label, source, target)]
        key = attrs_key(attrs)
        if key not in versions:
            versions[key] = RelationVersion(attrs, [], [])
        versions[key].annotators.append(r.annotator)
        versions[key].relations.append(r.id)
    candidates = []
    for (label, source, target), versions in grouped.items():
        ordered = sorted(versions.values(), key=lambda v: (-len(v.annotators), v.relations[0]))
        candidates.append(
            RelationCandidate(
                key=f"r{min(r for v in ordered for r in v.relations)}",
                label=label,
                source=source,
                target=target,
                versions=ordered,
                agreement=classify([len(set(v.annotators)) for v in ordered], n_layers),
            )
        )
    candidates.sort(key=lambda c: c.key)
    return candidates
