"""The measures themselves, pure: span matching, F1, IoU, tokens, Cohen's κ, Krippendorff's α."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

#: The κ category of an attribute that one side of a matched pair did not set (absent or null).
MISSING = "∅"

#: A token is a run of word characters or a single character that is neither word nor space.
#: ``re`` is Unicode-aware on ``str``, so accented letters, CJK and digits are word characters.
TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class SpanRec:
    id: str
    label: str
    start: int
    end: int
    # Left out of the hash so spans stay usable in sets; attribute values are often JSON lists.
    attrs: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class RelRec:
    label: str
    source: str  # span ids within the same layer
    target: str


@dataclass(frozen=True)
class Layer:
    annotator: str
    spans: Sequence[SpanRec]
    relations: Sequence[RelRec] = ()


@dataclass(frozen=True)
class ArticleLayers:
    article_id: str
    text: str
    layers: Sequence[Layer]  # one Layer per annotator who submitted this article


SpanPair = tuple[SpanRec, SpanRec]

# ---------------------------------------------------------------------------------------------
# Building blocks


def f1(tp: int, fp: int, fn: int) -> float | None:
    """``2·TP / (2·TP + FP + FN)``; ``None`` when there is nothing on either side."""
    denominator = 2 * tp + fp + fn
    return 2 * tp / denominator if denominator else None


def iou(a: SpanRec, b: SpanRec) -> float:
    """Character intersection over union of two half-open spans; 0.0 when they do not overlap."""
    intersection = min(a.end, b.end) - max(a.start, b.start)
    if intersection <= 0:
        return 0.0
    return intersection / (max(a.end, b.end) - min(a.start, b.start))


def match_exact(spans_a: Iterable[SpanRec], spans_b: Iterable[SpanRec]) -> list[SpanPair]:
    """One-to-one pairs of spans with the same label, start and end.

    Duplicates are matched as a multiset: two identical spans in A match at most two in B.
    """
    waiting: dict[tuple[str, int, int], list[SpanRec]] = defaultdict(list)
    for b in spans_b:
        waiting[b.label, b.start, b.end].append(b)
    pairs = []
    for a in spans_a:
        candidates = waiting.get((a.label, a.start, a.end))
        if candidates:
            pairs.append((a, candidates.pop(0)))
    return pairs


def match_overlap(
    spans_a: Iterable[SpanRec], spans_b: Iterable[SpanRec], threshold: float = 0.5
) -> list[SpanPair]:
    """One-to-one pairs of same-label spans whose character IoU is at least ``threshold``.

    Greedy by descending IoU: the best-overlapping pair of the label is matched first, both spans
    leave the pool, then the next best, and so on. Ties go to the pair that starts earlier (in A,
    then in B), so the result does not depend on the order of the input. With a threshold of 0.5
    or more this finds a largest one-to-one matching unless one side has overlapping spans of the
    same label; then it may find one pair fewer than the best possible.
    """
    _check_threshold(threshold)
    list_a, list_b = list(spans_a), list(spans_b)
    by_label: dict[str, list[int]] = defaultdict(list)
    for j, b in enumerate(list_b):
        by_label[b.label].append(j)
    candidates: list[tuple[float, int, int, int, int, int, int]] = []
    for i, a in enumerate(list_a):
        for j in by_label.get(a.label, ()):
            b = list_b[j]
            score = iou(a, b)
            if score > 0 and score >= threshold:
                candidates.append((-score, a.start, a.end, b.start, b.end, i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for *_, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((list_a[i], list_b[j]))
    return pairs


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold <= 1:
        raise ValueError(f"IoU threshold must be in (0, 1], got {threshold!r}")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Code-point ``(start, end)`` of each token: ``\\w+`` runs and single other non-space chars.

    ``"“We’ll see,” he said."`` gives ``“ We ’ ll see , ” he said .``.
    """
    return [m.span() for m in TOKEN_PATTERN.finditer(text)]


class _TokenIndex:
    """Token positions of one text, answering "which tokens does [start, end) overlap?".

    Equivalent to ``tokenize`` (the tests hold the two together) but classifies code points with
    numpy instead of building a tuple per token, which made tokenising most of the cost of
    ``compute_agreement``. ``\\w`` and ``\\s`` are properties of single characters, so a token
    starts at a word character after a non-word one, or at any other non-space character.
    """

    def __init__(self, text: str) -> None:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        kinds = _CHAR_KIND[codes]
        unknown = kinds == _UNKNOWN
        if unknown.any():
            for code in np.unique(codes[unknown]).tolist():
                _CHAR_KIND[code] = _kind(chr(code))
            kinds = _CHAR_KIND[codes]
        word = np.zeros(len(codes) + 2, dtype=bool)  # padded with a non-word at either end
        word[1:-1] = kinds == _WORD
        other = kinds == _OTHER
        starts_at = (word[1:-1] & ~word[:-2]) | other
        ends_after = (word[1:-1] & ~word[2:]) | other
        # starts_before[p]: tokens starting before p; ends_by[p]: tokens ending at or before p.
        self.starts_before = np.zeros(len(codes) + 1, dtype=np.int64)
        self.ends_by = np.zeros(len(codes) + 1, dtype=np.int64)
        np.cumsum(starts_at, out=self.starts_before[1:])
        np.cumsum(ends_after, out=self.ends_by[1:])
        self.size = len(codes)
        self.count = int(self.starts_before[-1])

    def overlapped(self, spans: Sequence[SpanRec]) -> list[tuple[int, int]]:
        """Per span, the token indexes ``[first, stop)`` it overlaps (none if ``first >= stop``)."""
        starts = np.clip(np.array([s.start for s in spans], dtype=np.int64), 0, self.size)
        ends = np.clip(np.array([s.end for s in spans], dtype=np.int64), 0, self.size)
        return list(
            zip(self.ends_by[starts].tolist(), self.starts_before[ends].tolist(), strict=True)
        )


_UNKNOWN, _SPACE, _WORD, _OTHER = -1, 0, 1, 2
# Kind of every code point, filled in as characters are first seen (1.1 MB).
_CHAR_KIND = np.full(0x110000, _UNKNOWN, dtype=np.int8)


def _kind(char: str) -> int:
    if re.match(r"\w", char):
        return _WORD
    return _SPACE if re.match(r"\s", char) else _OTHER


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's κ of two raters from their ``(first, second)`` category per item.

    ``κ = (p_o − p_e) / (1 − p_e)``. ``None`` when there are no items or when chance agreement is
    already certain (``p_e = 1``: both raters used one and the same category throughout).
    """
    return _kappa_from_table(Counter(pairs))


def _kappa_from_table(table: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    # Multiplied through by n² so that p_e == 1 is an exact integer comparison.
    n = sum(table.values())
    first: Counter[Hashable] = Counter()
    second: Counter[Hashable] = Counter()
    agreed = 0
    for (x, y), count in table.items():
        first[x] += count
        second[y] += count
        if x == y:
            agreed += count
    chance = sum(count * second[category] for category, count in first.items())
    if n == 0 or chance == n * n:
        return None
    return (n * agreed - chance) / (n * n - chance)


_Value = TypeVar("_Value", bound=Hashable)


def nominal_alpha(units: Mapping[tuple[_Value, ...], int]) -> float | None:
    """Krippendorff's α for nominal data, from how many units received each multiset of values.

    A key is the values one unit received, one per coder who coded it, in sorted order (missing
    coders are simply absent); the value is the number of units that received exactly that. This
    is the same statistic as ``krippendorff.alpha(level_of_measurement="nominal")`` on the
    coder × unit matrix (the tests hold the two together) without materialising the matrix, which
    for token-level α has one column per token of the whole project.

    ``None`` when α is undefined: no unit coded by two or more coders, or only one value among
    those that were (e.g. nobody used the label: D_e = 0).
    """
    # Coincidence-matrix form: n_c = pairable values of c, D_o from the diagonal o_cc.
    n_c: Counter[_Value] = Counter()
    diagonal = 0.0
    for values, count in units.items():
        m = len(values)
        if m < 2 or count == 0:
            continue
        for value, n_uc in Counter(values).items():
            n_c[value] += count * n_uc
            diagonal += count * n_uc * (n_uc - 1) / (m - 1)
    n = sum(n_c.values())
    expected = n * n - sum(v * v for v in n_c.values())  # Σ_{c≠k} n_c·n_k
    if n == 0 or expected == 0:
        return None
    return 1.0 - (n - 1) * (n - diagonal) / expected
