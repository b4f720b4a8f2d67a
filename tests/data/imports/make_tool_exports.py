"""Write the Label Studio and doccano exports of the same 120 articles (tests/data/imports/).

    python tests/data/imports/make_tool_exports.py   # rewrites the three files below

- ``labelstudio_120.json``: Label Studio 1.x *JSON* export (Export → JSON), one task per article
  with one annotation: ``labels`` regions (code-point offsets, ``value.text``), per-region
  ``choices`` for some Stance polarities, ``relation`` results between regions;
- ``doccano_120_relations.jsonl``: doccano 1.8 *JSONL* export of a sequence-labelling project
  with relation labelling on (``entities``, ``relations``, ``Comments``);
- ``doccano_120_labels.jsonl``: the same project exported without relation labelling
  (``label``: ``[start, end, label]`` triples).

The texts are made up here (no corpus, no licence question) and are deterministic. Most put an
emoji or another astral character (one code point, two UTF-16 units) before a span; some use
French, German, Japanese or typewriter quotation marks, a line break between paragraphs, a URL
(which doccano's pandas writer escapes as ``\\/``). Neither tool has a ``quote_type`` and
doccano has no attributes at all: the Quote spans (and doccano's Stance spans) are what an
import keeps as incomplete.

``articles()`` is what the test compares the import with: per article, its text and every span
as (label, start, end, text) in code points, with the relations between them.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
COUNT = 120

SOURCES = [
    "The minister",
    "Maria Kowalska",
    "A spokesperson for the ministry",
    "The mayor of Łódź",
    "Dr. Amara Nwosu",
    "Ahmed al-Farsi",
    "The European Commission",
    "Günther Öztürk",
    "Chief Inspector Søren Dahl",
    "Officials in Kyiv",
]
CUES = ["said", "told reporters", "wrote on social media", "declared", "said in a statement"]
# (opening mark, closing mark, quotation)
DIRECT = [
    ("“", "”", "We will not back down"),
    ("“", "”", "This is a turning point for the region"),
    ("«", "»", "Les négociations continuent"),
    ("„", "“", "Wir schaffen das"),
    ('"', '"', "Nobody saw this coming"),
    ("‘", "’", "We don’t negotiate under pressure"),
    ("「", "」", "準備はできています"),
    ("''", "''", "It is a good day for the city"),
    ("“", "”", "Prices have risen by 12 % 📈 since June"),
]
INDIRECT = [
    "the talks had stalled",
    "prices would rise again next year",
    "the plan was never approved",
    "the bridge would reopen in spring",
    "no decision had been taken",
]
MIXED = [
    ("“", "”", "a historic mistake"),
    ("«", "»", "une erreur"),
    ("“", "”", "dead on arrival"),
]
CLAIMS = [
    "Unemployment fell to 5.1 % in March",
    "The bridge carries 40,000 cars a day",
    "The city has 12 hospitals",
    "Exports to China doubled in 2025",
    "The dam holds 3 billion m³ of water",
]
STANCES = ["opposes the new tax", "supports the ceasefire", "rejects the proposal"]
POLARITY = {"opposes": "against", "supports": "favor", "rejects": "against"}
# Astral characters (and sequences of them) put before spans.
BEFORE = ["🔴 ", "📰 ", "🇺🇦 ", "👩‍⚕️ ", "𝐁𝐑𝐄𝐀𝐊𝐈𝐍𝐆 ", "🤝🏽 ", "😀 ", "𝕏 ", ""]


@dataclass
class Span:
    id: str  # the tool's region / entity id, as text
    label: str
    start: int
    end: int
    text: str
    polarity: str | None = None  # a Stance's, when Label Studio's per-region choice gives it


@dataclass
class Article:
    number: int  # 1…120: the task id in Label Studio, the example id in doccano
    title: str
    text: str = ""
    spans: list[Span] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (from, label, to)


class _Writer:
    def __init__(self, article: Article, rng: random.Random):
        self.article, self.rng, self.parts, self.length = article, rng, [], 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)  # code points

    def mark(self, label: str, text: str, **extra) -> Span:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        region = "".join(self.rng.choice(alphabet) for _ in range(10))
        span = Span(region, label, self.length, self.length + len(text), text, **extra)
        self.article.spans.append(span)
        self.add(text)
        return span

    def done(self) -> None:
        self.article.text = "".join(self.parts)
        for s in self.article.spans:
            assert self.article.text[s.start : s.end] == s.text
        assert unicodedata.is_normalized("NFC", self.article.text)


def articles() -> list[Article]:
    out = []
    for number in range(1, COUNT + 1):
        rng = random.Random(f"article {number}")
        article = Article(number, f"Dispatch {number}")
        w = _Writer(article, rng)
        i = number - 1
        w.add(BEFORE[i % len(BEFORE)])
        source = w.mark("Source", SOURCES[i % len(SOURCES)])
        w.add(f" {CUES[i % len(CUES)]}: ")
        opening, closing, words = DIRECT[i % len(DIRECT)]
        if i % 2:  # the quotation with its marks
            quote = w.mark("Quote", f"{opening}{words}{closing}")
            w.add(".")
        else:  # the quotation inside its marks
            w.add(opening)
            quote = w.mark("Quote", words)
            w.add(f"{closing}.")
        article.relations.append((quote.id, "attributed_to", source.id))
        if i % 3:
            w.add(" " + BEFORE[(i + 3) % len(BEFORE)])
            other = w.mark("Source", SOURCES[(i + 4) % len(SOURCES)])
            w.add(" said ")
            reported = w.mark("Quote", INDIRECT[i % len(INDIRECT)])
            w.add(".")
            article.relations.append((reported.id, "attributed_to", other.id))
        if i % 4 == 1:
            opening, closing, words = MIXED[i % len(MIXED)]
            w.add(" " + BEFORE[(i + 5) % len(BEFORE)] + "It ")
            mixed = w.mark("Quote", f"described the deal as {opening}{words}{closing}")
            w.add(".")
            article.relations.append((mixed.id, "attributed_to", source.id))
        w.add("\n\n" + BEFORE[(i + 1) % len(BEFORE)])
        claim = w.mark("Claim", CLAIMS[i % len(CLAIMS)])
        w.add(f", according to figures at https://example.org/stats/{number}.")
        if i % 2 == 0:
            w.add(" " + BEFORE[(i + 2) % len(BEFORE)])
            holder = w.mark("Source", SOURCES[(i + 7) % len(SOURCES)])
            w.add(" ")
            words = STANCES[i % len(STANCES)]
            # Label Studio's annotators chose a polarity for every other Stance.
            polarity = POLARITY[words.split()[0]] if i % 4 == 0 else None
            stance = w.mark("Stance", words, polarity=polarity)
            w.add(".")
            article.relations.append((stance.id, "held_by", holder.id))
            article.relations.append((stance.id, "toward", claim.id))
        w.done()
        out.append(article)
    return out


def _stamp(number: int) -> str:
    return f"2026-11-{1 + number % 28:02d}T{8 + number % 10:02d}:{number % 60:02d}:07.{number:06d}Z"


def labelstudio_export(items: list[Article]) -> str:
    """What Label Studio 1.x writes for Export → JSON: an array of tasks, each with all its
    fields, indented by two spaces."""
    tasks = []
    for a in items:
        result: list[dict] = []
        for s in a.spans:
            region = {"start": s.start, "end": s.end, "text": s.text}
            result.append(
                {
                    "value": {**region, "labels": [s.label]},
                    "id": s.id,
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "origin": "manual",
                }
            )
            if s.polarity:
                result.append(
                    {
                        "value": {**region, "choices": [s.polarity]},
                        "id": s.id,
                        "from_name": "polarity",
                        "to_name": "text",
                        "type": "choices",
                        "origin": "manual",
                    }
                )
        for source, label, target in a.relations:
            result.append(
                {
                    "from_id": source,
                    "to_id": target,
                    "type": "relation",
                    "direction": "right",
                    "labels": [label],
                }
            )
        stamp = _stamp(a.number)
        tasks.append(
            {
                "id": a.number,
                "annotations": [
                    {
                        "id": 1000 + a.number,
                        "completed_by": 1 + a.number % 3,
                        "result": result,
                        "was_cancelled": False,
                        "ground_truth": False,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "draft_created_at": None,
                        "lead_time": round(30 + a.number * 1.7, 3),
                        "prediction": {},
                        "result_count": 0,
                        "unique_id": f"4f0c6c1e-0000-4000-8000-{a.number:012d}",
                        "import_id": None,
                        "last_action": None,
                        "task": a.number,
                        "project": 7,
                        "updated_by": 1 + a.number % 3,
                        "parent_prediction": None,
                        "parent_annotation": None,
                        "last_created_by": None,
                    }
                ],
                "file_upload": "3b1f2a9c-dispatches.json",
                "drafts": [],
                "predictions": [],
                "data": {"text": a.text, "title": a.title},
                "meta": {},
                "created_at": "2026-10-30T09:12:44.518920Z",
                "updated_at": stamp,
                "inner_id": a.number,
                "total_annotations": 1,
                "cancelled_annotations": 0,
                "total_predictions": 0,
                "comment_count": 0,
                "unresolved_comment_count": 0,
                "last_comment_updated_at": None,
                "project": 7,
                "updated_by": 1 + a.number % 3,
                "comment_authors": [],
            }
        )
    return json.dumps(tasks, ensure_ascii=False, indent=2) + "\n"


def _pandas_line(row: dict) -> str:
    """A row as pandas' ``DataFrame.to_json(orient="records", lines=True, force_ascii=False)``
    writes it (doccano's JsonlWriter): no spaces, and "/" escaped."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def doccano_export(items: list[Article], *, relations: bool) -> str:
    """doccano 1.8's JSONL export of a sequence-labelling project: ``{"id", "text", **meta,
    "entities", "relations", "Comments"}`` with relation labelling on, else ``{"id", "text",
    **meta, "label", "Comments"}``. Entity and relation ids are database ids: unique through
    the project."""
    lines = []
    entity_id, relation_id = 0, 0
    for a in items:
        row: dict = {"id": a.number, "text": a.text, "title": a.title}
        if relations:
            ids = {}
            entities = []
            for s in a.spans:
                entity_id += 1
                ids[s.id] = entity_id
                entities.append(
                    {
                        "id": entity_id,
                        "label": s.label,
                        "start_offset": s.start,
                        "end_offset": s.end,
                    }
                )
            links = []
            for source, label, target in a.relations:
                relation_id += 1
                links.append(
                    {"id": relation_id, "from_id": ids[source], "to_id": ids[target], "type": label}
                )
            row |= {"entities": entities, "relations": links, "Comments": []}
        else:
            row |= {
                "label": sorted([s.start, s.end, s.label] for s in a.spans),
                "Comments": [],
            }
        lines.append(_pandas_line(row))
    return "\n".join(lines) + "\n"


FILES = {
    "labelstudio_120.json": lambda items: labelstudio_export(items),
    "doccano_120_relations.jsonl": lambda items: doccano_export(items, relations=True),
    "doccano_120_labels.jsonl": lambda items: doccano_export(items, relations=False),
}


def main() -> None:
    items = articles()
    for name, write in FILES.items():
        (HERE / name).write_text(write(items), encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main()
