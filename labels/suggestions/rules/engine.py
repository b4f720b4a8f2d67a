"""Rule-based pre-annotation: Quote, Cue and Source suggestions and the relations between them.

``suggest(text, schema)`` is pure: no database, no network, no model weights. Only spaCy's
tokenizer is used (``spacy.blank("xx")``, built once per process). Offsets are code points,
half-open, into ``text`` exactly as given (the stored, canonical article text), so
``text[s.start:s.end] == s.text`` for every suggestion.

How it reads a text, in order (docs/suggestions.md explains the rules and their known misses):

1. **Quotation marks** — a bracket-matching scan per paragraph over “…” "…" «…» »…« „…“ ‚…‘
   ‘…’ 「…」 『…』. Only outermost pairs count; an opening mark left open at the end of its
   paragraph, or for more than ``MAX_QUOTE_CHARS``, yields nothing. A right single quote
   between letters (don’t, Russia’s) or before a digit (’90s) is an apostrophe.
2. **Cues** — a lexicon of reporting verbs and phrases in English, French, German, Spanish
   and Russian (regular-expression fragments, case-insensitive, on word boundaries); cues
   inside a quotation are ignored (they belong to the quoted speaker).
3. **Sentences and clauses** — sentences end at . ! ? … followed by a capital, a mark or a
   digit; clauses are split at ", ", ": " and "; " outside quotations.
4. **Attributions** — per cue: the Source (after an inverted cue "said the Kremlin", before
   one "the Kremlin said", inside one "a-t-elle ajouté") and the content: a quotation next to
   the cue (direct), or the clause the cue introduces or closes (indirect; mixed when it
   embeds quoted words), following the conventions of ``seeds/README.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    pass
from labels.suggestions.rules.attribution import _read
from labels.suggestions.rules.results import SuggestedRelation, Suggestion, Suggestions
from labels.suggestions.rules.sources import _source_type
from labels.suggestions.rules.tokens import _schema_view, _Seg, _Src

# ---------------------------------------------------------------------------------------------
# Public entry points


def suggest(text: str, schema: dict[str, Any] | None = None) -> Suggestions:
    """Suggested spans and relations for ``text``, limited to what ``schema`` defines.

    ``schema`` defaults to ``labels.schema.default_schema()``. Span ids are "g1", "g2", … in
    text order, so the same text always gives the same ids.
    """
    view = _schema_view(schema)
    segments, cues, reader = _read(text)

    spans: dict[tuple[str, int, int], tuple[dict[str, Any], float, str]] = {}

    def add(
        label: str, s: int, e: int, attrs: dict[str, Any], confidence: float, rule: str
    ) -> None:
        if label not in view.span_attrs or s >= e:
            return
        allowed = view.span_attrs[label]
        clean = {
            k: v
            for k, v in attrs.items()
            if k in allowed and ((choices := allowed[k]) is None or v in choices)
        }
        key = (label, s, e)
        if key not in spans or spans[key][1] < confidence:
            spans[key] = (clean, round(confidence, 2), rule)

    for q in reader.quotes:
        add("Quote", q.start, q.end, {"quote_type": q.quote_type}, q.confidence, q.rule)
    for g in segments:
        if not g.covered and not _is_quoted_name(text, g) and not _is_scare_quote(text, g):
            add(
                "Quote", g.start, g.end, {"quote_type": "direct"}, 0.35, f"quote:{g.style}:fragment"
            )
    for c in cues:
        add("Cue", c.start, c.end, {}, 0.85 if c.kind != "speech" else 0.8, f"cue:lexicon:{c.lang}")
    for att in reader.atts:
        if att.source is not None:
            src = att.source
            mention = text[src.start : src.end]
            add(
                "Source",
                src.start,
                src.end,
                {"source_type": _source_type(mention)},
                src.confidence,
                src.rule,
            )

    # Only the outermost attribution is proposed (as cues inside quotation marks are skipped):
    # a quotation, cue or source inside a mixed or indirect quote is part of it.
    outer = sorted((s, e) for (label, s, e), v in spans.items() if label == "Quote")
    for key in list(spans):
        if any(s <= key[1] and key[2] <= e and (s, e) != key[1:] for s, e in outer):
            del spans[key]

    ordered = sorted(spans.items(), key=lambda kv: (kv[0][1], -kv[0][2], kv[0][0]))
    ids: dict[tuple[str, int, int], str] = {}
    out_spans = []
    for n, ((label, s, e), (attrs, confidence, rule)) in enumerate(ordered, 1):
        ids[label, s, e] = f"g{n}"
        out_spans.append(Suggestion(f"g{n}", label, s, e, text[s:e], attrs, confidence, rule))

    rels: dict[tuple[str, str, str], tuple[dict[str, Any], float, str]] = {}

    def relate(
        name: str, q: tuple[int, int], src: _Src, attrs: dict[str, Any], conf: float, rule: str
    ) -> None:
        qid, sid = ids.get(("Quote", *q)), ids.get(("Source", src.start, src.end))
        if qid is None or sid is None or not view.allows_relation(name, "Quote", "Source"):
            return
        allowed = view.relations[name][2]
        rels.setdefault(
            (name, qid, sid), ({k: v for k, v in attrs.items() if k in allowed}, conf, rule)
        )

    for att in reader.atts:
        if att.source is None or att.cue.kind == "relay":
            continue
        cue_id = ids.get(("Cue", att.cue.start, att.cue.end))
        for quoted in att.quotes:
            relate(
                "attributed_to",
                quoted,
                att.source,
                {"cue": cue_id} if cue_id else {},
                0.75,
                "relation:cue",
            )
            for relay in att.relays:
                if relay.source is not None:
                    relate("relayed_by", quoted, relay.source, {}, 0.7, "relation:relay")
    ordered_rels = sorted(rels.items(), key=lambda kv: (_num(kv[0][1]), kv[0][0], _num(kv[0][2])))
    out_rels = [
        SuggestedRelation(f"r{n}", name, qid, sid, conf, rule, attrs)
        for n, ((name, qid, sid), (attrs, conf, rule)) in enumerate(ordered_rels, 1)
    ]
    return Suggestions(out_spans, out_rels)


def _num(span_id: str) -> int:
    return int(span_id[1:])


#: A quotation no cue attributes, of at most this many words and not a sentence, is a scare
#: quote, a title or a slogan ("the “party of ideas”", "“Make America Great” hats"): PolNeAR
#: and the seed conventions call those non-attributions.
SCARE_QUOTE_MAX_WORDS = 5


def _is_scare_quote(text: str, g: _Seg) -> bool:
    inner = text[g.start : g.end].rstrip()
    if any("\u3000" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" for c in inner):
        return False  # Chinese, Japanese, Korean: words are not counted by spaces
    return len(inner.split()) <= SCARE_QUOTE_MAX_WORDS and not inner.endswith((".", "!", "?", "…"))


def _is_quoted_name(text: str, g: _Seg) -> bool:
    """«Интерфакс», „Spiegel“: one capitalised word in quotation marks is a name, not a quote."""
    inner = text[g.start : g.end]
    return (
        " " not in inner
        and inner[:1].isupper()
        and g.open > 0
        and not text[max(0, g.open - 8) : g.open].rstrip().endswith((":", "."))
    )
