"""A second learned suggester, for comparison: spaCy's transition-based entity recogniser
trained from scratch.

Pure like ``labels.suggestions.learned``: no database, no network, no pretrained vectors — a
blank spaCy pipeline (the rules' ``xx`` tokenizer) with one ``ner`` component whose tok2vec is
a hash embedding of each token's norm, first letter, last three letters and shape, plus — with
``rule_features`` — the rules' own BIO tag for the token (``Token.tag_``, which nothing else
in this pipeline sets), encoded by a maxout CNN (±``window × depth`` tokens of context). The
recogniser reads Quote, Source and Cue as non-overlapping BILUO spans; ``attributed_to``
links with their cue are made between them as the perceptron makes them (``learned._links``).

Measured against the perceptron by ``bench/compare_suggesters.py`` (docs/suggestions.md, "A
learned suggester"). The product trains and serves the perceptron; this model is not stored
by ``train_suggester``. ``to_bytes``/``from_bytes`` keep it as spaCy's own msgpack (no pickle).
"""

from __future__ import annotations

import json
import random
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from labels.suggestions.learned import LABELS, Article, _links
from labels.suggestions.rules.engine import suggest as rule_suggest
from labels.suggestions.rules.results import Suggestion, Suggestions
from labels.suggestions.rules.sources import _source_type

FORMAT = "spacy-ner-1"


@dataclass(frozen=True, slots=True)
class Settings:
    epochs: int = 8
    width: int = 96
    depth: int = 4
    window: int = 1
    hidden: int = 64
    dropout: float = 0.1
    batch_words: int = 2000
    rule_features: bool = True
    seed: int = 17

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pipeline(settings: Settings):
    import spacy

    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
    rows = [5000, 1000, 2500, 2500]
    if settings.rule_features:
        attrs.append("TAG")
        rows.append(64)
    nlp = spacy.blank("xx")
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": settings.hidden,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": {
                    "@architectures": "spacy.Tok2Vec.v2",
                    "embed": {
                        "@architectures": "spacy.MultiHashEmbed.v2",
                        "width": settings.width,
                        "attrs": attrs,
                        "rows": rows,
                        "include_static_vectors": False,
                    },
                    "encode": {
                        "@architectures": "spacy.MaxoutWindowEncoder.v2",
                        "width": settings.width,
                        "depth": settings.depth,
                        "window_size": settings.window,
                        "maxout_pieces": 3,
                    },
                },
            }
        },
    )
    return nlp


def _spans_on(doc, spans: Sequence[tuple[str, int, int]]) -> list:
    """spaCy spans of ``doc`` for ``(label, start, end)``, widened to whole tokens; a span
    overlapping one already kept is dropped (longer spans first), as in ``learned._bio``."""
    taken = [False] * len(doc)
    out = []
    for label, s, e in sorted(spans, key=lambda x: (-(x[2] - x[1]), x[1])):
        span = doc.char_span(s, e, label=label, alignment_mode="expand")
        if span is None or len(span) == 0 or any(taken[span.start : span.end]):
            continue
        if span[0].is_space or span[-1].is_space:
            continue
        for i in range(span.start, span.end):
            taken[i] = True
        out.append(span)
    return sorted(out, key=lambda sp: sp.start)


def _doc(nlp, text: str, rules: Suggestions | None):
    """The tokenized text, each token's ``tag_`` the rules' BIO tag there (or ``O``)."""
    doc = nlp.make_doc(text)
    for token in doc:
        token.tag_ = "O"
    if rules is not None:
        for span in _spans_on(doc, [(s.label, s.start, s.end) for s in rules.spans]):
            span[0].tag_ = f"B-{span.label_}"
            for token in span[1:]:
                token.tag_ = f"I-{span.label_}"
    return doc


def _quote_type(text: str, s: int, e: int) -> str:
    before, after = text[max(0, s - 2) : s], text[e : e + 2]
    quoted = "[\"“”'‘’«»]"
    if re.search(quoted, before) and re.search(quoted, after):
        return "direct"
    return "mixed" if re.search("[\"“”«»]|''", text[s:e]) else "indirect"


class Model:
    def __init__(self, settings: Settings, nlp):
        self.settings = settings
        self.nlp = nlp
        self._ner = nlp.get_pipe("ner")

    def suggest(self, text: str) -> Suggestions:
        """Spans and ``attributed_to`` links for ``text``; ids "s1", "s2", … in text order."""
        rules = rule_suggest(text) if self.settings.rule_features else None
        if not text.strip():
            return Suggestions([], [])
        doc = self._ner(_doc(self.nlp, text, rules))
        spans: list[Suggestion] = []
        for n, ent in enumerate(doc.ents, 1):
            s, e, label = ent.start_char, ent.end_char, ent.label_
            attrs: dict[str, Any] = {}
            if label == "Source":
                attrs["source_type"] = _source_type(text[s:e])
            elif label == "Quote":
                attrs["quote_type"] = _quote_type(text, s, e)
            spans.append(Suggestion(f"s{n}", label, s, e, text[s:e], attrs, 0.8, "spacy-ner"))
        return Suggestions(spans, _links(text, spans, rules))

    def to_bytes(self) -> bytes:
        header = json.dumps({"format": FORMAT, "settings": self.settings.as_dict()}).encode()
        return struct.pack(">I", len(header)) + header + self.nlp.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        (n,) = struct.unpack(">I", data[:4])
        header = json.loads(data[4 : 4 + n].decode("utf-8"))
        if header.get("format") != FORMAT:
            raise ValueError("This model was saved in a format this version cannot read.")
        settings = Settings(**header["settings"])
        nlp = _pipeline(settings)
        nlp.from_bytes(data[4 + n :])
        return cls(settings, nlp)


def examples(nlp, articles: Sequence[Article], settings: Settings) -> list:
    """A spaCy ``Example`` per article: the rules' tags on the input, gold spans as entities."""
    from spacy.training import Example

    out = []
    for article in articles:
        if not article.text.strip():
            continue
        rules = rule_suggest(article.text) if settings.rule_features else None
        predicted = _doc(nlp, article.text, rules)
        reference = nlp.make_doc(article.text)
        gold = [(s["label"], s["start"], s["end"]) for s in article.spans if s["label"] in LABELS]
        reference.ents = _spans_on(reference, gold)
        out.append(Example(predicted, reference))
    return out


def train(
    articles: Sequence[Article],
    settings: Settings | None = None,
    progress: Callable[[int, int, int, float], None] | None = None,
) -> Model:
    """A model trained from scratch on ``articles`` (Adam, parameter averaging as
    ``spacy train`` does); ``progress(epoch, done, total, loss)`` after each batch."""
    from spacy.training.batchers import minibatch_by_words
    from spacy.util import fix_random_seed

    settings = settings or Settings()
    fix_random_seed(settings.seed)
    nlp = _pipeline(settings)
    data = examples(nlp, articles, settings)
    optimizer = nlp.initialize(lambda: data)
    rng = random.Random(settings.seed)
    for epoch in range(settings.epochs):
        rng.shuffle(data)
        batches = list(minibatch_by_words(data, size=settings.batch_words, tolerance=0.2))
        for done, batch in enumerate(batches, 1):
            losses: dict[str, float] = {}
            nlp.update(batch, drop=settings.dropout, sgd=optimizer, losses=losses)
            if progress is not None:
                progress(epoch, done, len(batches), losses.get("ner", 0.0))
    with nlp.use_params(optimizer.averages):
        averaged = nlp.to_bytes()
    nlp.from_bytes(averaged)
    return Model(settings, nlp)
