"""A suggester learned from a project's gold: a greedy averaged-perceptron BIO tagger.

Pure: no database, no network, no pretrained weights. Trained from scratch on CPU in seconds
to minutes (docs/suggestions.md, "A learned suggester"). It tags the tokens of spaCy's blank
tokenizer (the rules' tokenizer) with B-/I-/O for Quote, Source and Cue, left to right, each
decision from hashed features of the words around the token, the previous two decisions and —
the point of combining them — what the rules propose there (their label, its B/I position and
the rule that fired). ``attributed_to`` links with their cue are then made between the
predicted spans: the rules' link where the rules found the same attribution, else the nearest
cue of the sentence and the source nearest to that cue.

Analysts' feedback is training signal too (``Article.negatives`` and ``Article.partial``): the
tokens of a rejected suggestion that is not a span of the layer are trained toward O with
``NEGATIVE_WEIGHT`` times the usual step, and an article whose only signal is what analysts
accepted and rejected is trained on those tokens alone, the rest of it left untaught.

``Model.uncertainty`` says how unsure the model is about a text (1 / (1 + the mean margin
between the best and second-best tag of its tokens)), which orders **Next** when a project asks.

A model is bytes (``to_bytes``/``from_bytes``: a compressed ``.npz`` of its settings, tags and
non-zero averaged weights, no pickle), so it can be stored through Django's storage.
"""

from __future__ import annotations

import bisect
import io
import json
import random
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labels.suggestions.rules.engine import suggest
from labels.suggestions.rules.results import SuggestedRelation, Suggestion, Suggestions
from labels.suggestions.rules.sources import _source_type
from labels.suggestions.rules.tokens import _nlp

LABELS = ("Quote", "Source", "Cue")
FORMAT = "perceptron-bio-1"
#: How much more a token of a rejected suggestion counts than a token of the layer: an analyst
#: said no to exactly this, where the rest of the layer's O is only what nobody marked.
NEGATIVE_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Settings:
    epochs: int = 5
    hash_bits: int = 20
    rule_features: bool = True
    seed: int = 17

    def as_dict(self) -> dict[str, Any]:
        return {
            "epochs": self.epochs,
            "hash_bits": self.hash_bits,
            "rule_features": self.rule_features,
            "seed": self.seed,
        }


@dataclass(slots=True)
class Article:
    """A training or evaluation article: its text and gold spans (native form).

    ``negatives``: ``(label, start, end)`` of suggestions analysts rejected; their tokens are
    trained toward O unless a span of ``spans`` covers them. ``partial``: ``spans`` are only the
    suggestions analysts accepted, so only their tokens and the negatives' are trained on."""

    text: str
    spans: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    negatives: list[tuple[str, int, int]] = field(default_factory=list)
    partial: bool = False


_TAGS = ("O", *(f"{p}-{label}" for label in LABELS for p in "BI"))
_TAG_INDEX = {t: i for i, t in enumerate(_TAGS)}
_SHAPE = re.compile(r"[A-Z]+|[a-z]+|\d+|.", re.S)


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(t.idx, t.idx + len(t.text), t.text) for t in _nlp().make_doc(text) if not t.is_space]


def _shape(word: str) -> str:
    out: list[str] = []
    for m in _SHAPE.finditer(word):
        g = m.group()
        c = "X" if g[0].isupper() else "x" if g[0].isalpha() else "d" if g[0].isdigit() else g
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:5]


def _bio(toks: Sequence[tuple[int, int, str]], spans: Iterable[tuple[str, int, int]]) -> list[str]:
    """BIO tags of ``toks`` for ``spans``; a span overlapping an earlier-tagged one is dropped
    (longer spans first), a token counts when it starts inside the span."""
    tags = ["O"] * len(toks)
    starts = [t[0] for t in toks]

    for label, s, e in sorted(spans, key=lambda x: (-(x[2] - x[1]), x[1])):
        i = bisect.bisect_left(starts, s)
        j = bisect.bisect_left(starts, e)
        if i >= j or any(tags[k] != "O" for k in range(i, j)):
            continue
        tags[i] = f"B-{label}"
        for k in range(i + 1, j):
            tags[k] = f"I-{label}"
    return tags


def _static_features(
    text: str, toks: Sequence[tuple[int, int, str]], rules: Suggestions | None
) -> list[list[str]]:
    """Features of each token that do not depend on the decisions made so far."""
    words = [t[2].lower() for t in toks]
    n = len(toks)
    rule_tags = ["O"] * n
    rule_names = [""] * n
    if rules is not None:
        rule_tags = _bio(toks, [(s.label, s.start, s.end) for s in rules.spans])
        by_start = {(s.label, s.start): s.rule for s in rules.spans}
        current = ""
        for i, tag in enumerate(rule_tags):
            if tag.startswith("B-"):
                current = by_start.get((tag[2:], toks[i][0]), "")
            elif tag == "O":
                current = ""
            rule_names[i] = current.split(":")[1] if ":" in current else current
    out = []
    for i, (s, _e, word) in enumerate(toks):
        low = words[i]
        prev1 = words[i - 1] if i > 0 else "<s>"
        prev2 = words[i - 2] if i > 1 else "<s>"
        next1 = words[i + 1] if i + 1 < n else "</s>"
        next2 = words[i + 2] if i + 2 < n else "</s>"
        gap = text[toks[i - 1][1] : s] if i > 0 else "\n"
        feats = [
            "b",
            "w=" + low,
            "s3=" + low[-3:],
            "p3=" + low[:3],
            "sh=" + _shape(word),
            "w-1=" + prev1,
            "w+1=" + next1,
            "w-2=" + prev2,
            "w+2=" + next2,
            "w-1w=" + prev1 + "|" + low,
            "ww+1=" + low + "|" + next1,
            "nl=" + str("\n" in gap),
        ]
        if rules is not None:
            rt = rule_tags[i]
            feats += [
                "r=" + rt,
                "rn=" + rt + "|" + rule_names[i],
                "r-1=" + (rule_tags[i - 1] if i > 0 else "<s>"),
                "r+1=" + (rule_tags[i + 1] if i + 1 < n else "</s>"),
                "rw=" + rt + "|" + low,
            ]
        out.append(feats)
    return out


class Tagger:
    """The averaged perceptron over hashed features."""

    def __init__(self, settings: Settings, weights: np.ndarray | None = None):
        self.settings = settings
        size = 1 << settings.hash_bits
        self.weights = (
            weights if weights is not None else np.zeros((size, len(_TAGS)), dtype=np.float32)
        )

    def _ids(self, feats: Iterable[str]) -> np.ndarray:
        mask = (1 << self.settings.hash_bits) - 1
        return np.fromiter((zlib.crc32(f.encode("utf-8")) & mask for f in feats), dtype=np.int64)

    @staticmethod
    def _dynamic(feats: list[str], prev: str, prev2: str) -> list[str]:
        return [*feats, "t-1=" + prev, "t-2=" + prev2 + "|" + prev, "t-1w=" + prev + "|" + feats[1]]

    @staticmethod
    def _allowed(prev: str) -> np.ndarray:
        """I-X only after B-X or I-X: the decoder never produces a broken span."""
        ok = np.ones(len(_TAGS), dtype=bool)
        for i, tag in enumerate(_TAGS):
            if tag.startswith("I-") and prev[2:] != tag[2:]:
                ok[i] = False
        return ok

    def predict_tags(self, static: list[list[str]]) -> list[str]:
        return self._decode(static)[0]

    def _decode(self, static: list[list[str]]) -> tuple[list[str], list[float]]:
        """The greedy tags, and each token's margin between its best and second-best tag."""
        tags: list[str] = []
        margins: list[float] = []
        for i, feats in enumerate(static):
            prev = tags[i - 1] if i > 0 else "<s>"
            prev2 = tags[i - 2] if i > 1 else "<s>"
            ids = self._ids(self._dynamic(feats, prev, prev2))
            scores = self.weights[ids].sum(axis=0)
            scores[~self._allowed(prev)] = -np.inf
            best, second = np.partition(scores, -2)[-2:][::-1]
            tags.append(_TAGS[int(np.argmax(scores))])
            margins.append(float(best - second))
        return tags, margins

    def train(
        self,
        examples: list[tuple[list[list[str]], list[str | None], list[float]]],
        progress: Any = None,
    ) -> None:
        """Greedy training on gold history; weights averaged over every step. Each example is
        (features, gold tag or None where the token is not taught, weight of each token's
        update); the history of an untaught token is the model's own guess."""
        totals = np.zeros_like(self.weights)
        stamps = np.zeros_like(self.weights)
        step = 1
        order = list(range(len(examples)))
        rng = random.Random(self.settings.seed)
        for epoch in range(self.settings.epochs):
            rng.shuffle(order)
            for done, k in enumerate(order):
                static, gold, weight = examples[k]
                history: list[str] = []
                for i, feats in enumerate(static):
                    prev = history[i - 1] if i > 0 else "<s>"
                    prev2 = history[i - 2] if i > 1 else "<s>"
                    ids = self._ids(self._dynamic(feats, prev, prev2))
                    scores = self.weights[ids].sum(axis=0)
                    scores[~self._allowed(prev)] = -np.inf
                    guess = int(np.argmax(scores))
                    known = gold[i]
                    history.append(_TAGS[guess] if known is None else known)
                    if known is None:
                        continue
                    truth = _TAG_INDEX[known]
                    if guess != truth:
                        w = weight[i]
                        for y, delta in ((truth, w), (guess, -w)):
                            col = self.weights[:, y]
                            totals[ids, y] += (step - stamps[ids, y]) * col[ids]
                            stamps[ids, y] = step
                            self.weights[ids, y] += delta
                    step += 1
                if progress is not None:
                    progress(epoch, done + 1, len(order))
        totals += (step - stamps) * self.weights
        self.weights = (totals / step).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# The model: features, tagger, links


@dataclass
class Model:
    settings: Settings
    tagger: Tagger

    def suggest(self, text: str) -> Suggestions:
        """Spans and ``attributed_to`` links for ``text``; ids "m1", "m2", … in text order."""
        rules = suggest(text) if self.settings.rule_features else None
        toks = _tokens(text)
        if not toks:
            return Suggestions([], [])
        tags = self.tagger.predict_tags(_static_features(text, toks, rules))
        found: list[tuple[str, int, int]] = []
        for i, tag in enumerate(tags):
            if tag.startswith("B-"):
                found.append((tag[2:], toks[i][0], toks[i][1]))
            elif tag.startswith("I-") and found:
                label, s, _ = found[-1]
                found[-1] = (label, s, toks[i][1])
        found.sort(key=lambda x: (x[1], -x[2], x[0]))
        spans = []
        for n, (label, s, e) in enumerate(found, 1):
            attrs: dict[str, Any] = {}
            if label == "Source":
                attrs["source_type"] = _source_type(text[s:e])
            elif label == "Quote":
                inner = text[s:e]
                before, after = text[max(0, s - 2) : s], text[e : e + 2]
                direct = bool(re.search("[\"“”'‘’«»]", before)) and bool(
                    re.search("[\"“”'‘’«»]", after)
                )
                mixed = bool(re.search("[\"“”«»]|''", inner))
                attrs["quote_type"] = "direct" if direct else "mixed" if mixed else "indirect"
            spans.append(Suggestion(f"m{n}", label, s, e, text[s:e], attrs, 0.8, "model"))
        return Suggestions(spans, _links(text, spans, rules))

    def uncertainty(self, text: str) -> float:
        """How unsure the model is about ``text``: 1 / (1 + the mean margin between the best
        and the second-best tag of its tokens); 0 sure … 1 unsure (a text without tokens: 1)."""
        toks = _tokens(text)
        if not toks:
            return 1.0
        rules = suggest(text) if self.settings.rule_features else None
        _, margins = self.tagger._decode(_static_features(text, toks, rules))
        return 1.0 / (1.0 + max(0.0, float(np.mean(margins))))

    def to_bytes(self) -> bytes:
        """The model as one compressed ``.npz``: settings, tags and the non-zero weights."""
        w = self.tagger.weights
        rows, cols = np.nonzero(np.abs(w) > 1e-4)
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            header=np.frombuffer(
                json.dumps(
                    {"format": FORMAT, "settings": self.settings.as_dict(), "tags": list(_TAGS)}
                ).encode("utf-8"),
                dtype=np.uint8,
            ),
            rows=rows.astype(np.int32),
            cols=cols.astype(np.int8),
            values=w[rows, cols].astype(np.float32),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            header = json.loads(npz["header"].tobytes().decode("utf-8"))
            if header.get("format") != FORMAT or header.get("tags") != list(_TAGS):
                raise ValueError("This model was saved in a format this version cannot read.")
            settings = Settings(**header["settings"])
            tagger = Tagger(settings)
            tagger.weights[npz["rows"].astype(np.int64), npz["cols"].astype(np.int64)] = npz[
                "values"
            ]
        return cls(settings, tagger)


def _links(
    text: str, spans: list[Suggestion], rules: Suggestions | None
) -> list[SuggestedRelation]:
    """``attributed_to`` from each predicted Quote to a predicted Source, with its Cue."""
    quotes = [s for s in spans if s.label == "Quote"]
    sources = [s for s in spans if s.label == "Source"]
    cues = [s for s in spans if s.label == "Cue"]
    rule_links: list[tuple[Suggestion, Suggestion, Suggestion | None]] = []
    if rules is not None:
        by_id = {s.id: s for s in rules.spans}
        for r in rules.relations:
            if r.label == "attributed_to":
                cue = by_id.get(r.attrs.get("cue", ""))
                rule_links.append((by_id[r.source], by_id[r.target], cue))

    def best(target: Suggestion, pool: list[Suggestion]) -> Suggestion | None:
        scored = [(_iou(target, p), p) for p in pool]
        scored = [x for x in scored if x[0] >= 0.5]
        return max(scored, key=lambda x: x[0])[1] if scored else None

    def sentence_of(pos: int) -> tuple[int, int]:
        a = max(text.rfind("\n", 0, pos), 0)
        b = text.find("\n", pos)
        return a, len(text) if b < 0 else b

    out: list[SuggestedRelation] = []
    for q in quotes:
        source = cue = None
        for rq, rs, rc in rule_links:
            if _iou(q, rq) >= 0.5:
                source = best(rs, sources)
                cue = best(rc, cues) if rc is not None else None
                if source is not None:
                    break
        if source is None:
            a, b = sentence_of(q.start)
            near = [c for c in cues if a <= c.start < b]
            if near:
                cue = min(near, key=lambda c: _gap(q, c))
                cands = [s for s in sources if a <= s.start < b and not _overlaps(s, q)]
                if cands:
                    source = min(cands, key=lambda s: _gap(cue, s))
        if source is not None:
            attrs = {"cue": cue.id} if cue is not None else {}
            out.append(
                SuggestedRelation(
                    f"r{len(out) + 1}", "attributed_to", q.id, source.id, 0.7, "model", attrs
                )
            )
    return out


def _iou(a: Suggestion, b: Suggestion) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter / (max(a.end, b.end) - min(a.start, b.start)) if inter > 0 else 0.0


def _overlaps(a: Suggestion, b: Suggestion) -> bool:
    return a.start < b.end and b.start < a.end


def _gap(a: Suggestion, b: Suggestion) -> int:
    return max(0, b.start - a.end, a.start - b.end)


def examples(
    articles: Iterable[Article], settings: Settings
) -> list[tuple[list[list[str]], list[str | None], list[float]]]:
    """(features, gold tags, weights) of each article: the tokens of a rejected suggestion that
    no span covers are O with ``NEGATIVE_WEIGHT``; in a ``partial`` article only the tokens of
    its spans and of its negatives are taught (the others' tag is None)."""
    out = []
    for article in articles:
        toks = _tokens(article.text)
        if not toks:
            continue
        rules = suggest(article.text) if settings.rule_features else None
        bio = _bio(
            toks,
            [(s["label"], s["start"], s["end"]) for s in article.spans if s["label"] in LABELS],
        )
        gold: list[str | None] = [tag if tag != "O" or not article.partial else None for tag in bio]
        weight = [1.0] * len(toks)
        starts = [t[0] for t in toks]
        for _label, s, e in article.negatives:
            for k in range(bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)):
                if bio[k] == "O":
                    gold[k] = "O"
                    weight[k] = NEGATIVE_WEIGHT
        if all(tag is None for tag in gold):
            continue
        out.append((_static_features(article.text, toks, rules), gold, weight))
    return out


def train(
    articles: Sequence[Article], settings: Settings | None = None, progress: Any = None
) -> Model:
    """A model trained from scratch on ``articles``."""
    settings = settings or Settings()
    tagger = Tagger(settings)
    tagger.train(examples(articles, settings), progress)
    return Model(settings, tagger)
