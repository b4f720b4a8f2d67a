"""Dataset export: the shared records, every format, filters, split, the command and the API."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from labels.annotation import spans as spans_mod
from labels.errors import ExportError, Invalid
from labels.interop.exporting import check_export_params, parse_split, prepare_export
from labels.interop.importing import do_import
from labels.interop.records import iter_records, split_of
from labels.models import Annotation, AnnotationStatus, Article, Span

pytestmark = pytest.mark.django_db

# Raw texts as a newsroom system would send them: CRLF line ends, a decomposed "é" (NFC makes
# it one code point), emoji, a flag, a ZWJ sequence. Spans are given on the raw text.
TEXT_1 = (
    "😀 The spokesman said “we will respond” on Tuesday.\r\n"
    "Jose\u0301 Borrell 🇺🇦 told AFP: «Europe must\r\nact now»."
)
TEXT_2 = "👨‍💻 The engineer said “it compiles”, according to 👍🏿 Reuters."
TEXT_3 = "Il a dit « non », selon Reuters."


def canon(raw: str) -> str:
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))


def span(sid, raw, label, needle, attrs=None, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = raw.index(needle, start + 1)
    return {
        "id": sid,
        "label": label,
        "start": start,
        "end": start + len(needle),
        "text": needle,
        "attrs": attrs or {},
    }


def gold_record():
    return {
        "id": "afp-1",
        "title": "Responses",
        "meta": {"published": "2020-10-01", "source": "AFP"},
        "text": TEXT_1,
        "spans": [
            span("q", TEXT_1, "Quote", "we will respond", {"quote_type": "direct"}),
            span("s", TEXT_1, "Source", "The spokesman", {"source_type": "person"}),
            span("c", TEXT_1, "Cue", "said"),
            span("q2", TEXT_1, "Quote", "Europe must\r\nact now", {"quote_type": "direct"}),
            span("s2", TEXT_1, "Source", "Jose\u0301 Borrell", {"source_type": "government"}),
            span("cl", TEXT_1, "Claim", "will respond", {"checkworthy": "yes"}),
            span(
                "st",
                TEXT_1,
                "Stance",
                "must\r\nact",
                {"polarity": "favor", "target": "acting now"},
            ),
        ],
        "relations": [
            {"label": "attributed_to", "from": "q", "to": "s", "attrs": {"cue": "c"}},
            {"label": "attributed_to", "from": "q2", "to": "s2", "attrs": {}},
            {"label": "toward", "from": "st", "to": "cl", "attrs": {}},
        ],
    }


def annotator_record():
    return {
        "id": "afp-1",
        "text": TEXT_1,
        "spans": [
            span("q", TEXT_1, "Quote", "we will respond", {"quote_type": "indirect"}),
            span("s", TEXT_1, "Source", "spokesman"),
        ],
        "relations": [{"label": "attributed_to", "from": "q", "to": "s"}],
    }


def second_article(layer_quote_type="direct"):
    return {
        "id": "reuters-2",
        "text": TEXT_2,
        "spans": [
            span("q", TEXT_2, "Quote", "it compiles", {"quote_type": layer_quote_type}),
            span("c", TEXT_2, "Cue", "according to"),
            span("s", TEXT_2, "Source", "Reuters", {"source_type": "news_agency"}),
            span("e", TEXT_2, "Source", "The engineer", {"source_type": "person"}),
        ],
        "relations": [{"label": "relayed_by", "from": "q", "to": "s"}],
    }


def jsonl(*records) -> io.BytesIO:
    return io.BytesIO("\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode())


def load(project, layer, *records):
    report = do_import(project, [("in.jsonl", jsonl(*records))], layer=layer)
    assert not report.errors, report.errors
    return report


@pytest.fixture
def desk(project, annotator, annotator2):
    """Gold and two analysts' layers, plus a draft and a skipped annotation that the default
    export leaves out."""
    load(project, "gold", gold_record(), second_article())
    load(project, annotator.username, annotator_record(), second_article("indirect"))
    # ben found nothing to mark in afp-1 and submitted an empty layer.
    Annotation.objects.create(
        article=Article.objects.get(external_id="afp-1"),
        annotator=annotator2,
        status=AnnotationStatus.SUBMITTED,
    )
    third = Article.objects.create(
        project=project, external_id="fr-3", text=TEXT_3, text_sha256="x" * 64
    )
    draft = Annotation.objects.create(article=third, annotator=annotator2)
    spans_mod.do_add_span(
        draft,
        annotator2,
        {"start": 24, "end": 31, "text": "Reuters", "label": "Source"},
        version=draft.version,
    )
    Annotation.objects.create(
        article=third, annotator=annotator, status=AnnotationStatus.SKIPPED, skip_reason="French"
    )
    return project


def export_bytes(project, **params) -> bytes:
    return b"".join(prepare_export(project, params))


def native(project, **params) -> list[dict]:
    data = export_bytes(project, format="native", **params).decode()
    return [json.loads(line) for line in data.splitlines()]


def by_layer(records):
    return {(r["id"], r["layer"]): r for r in records}


# --- records --------------------------------------------------------------------------------


def test_gold_record_has_the_designed_shape(desk):
    records = native(desk)
    assert [(r["id"], r["layer"]) for r in records] == [("afp-1", "gold"), ("reuters-2", "gold")]
    record = records[0]
    assert list(record) == [
        "schema",
        "id",
        "project",
        "title",
        "text",
        "meta",
        "offsets",
        "layer",
        "annotation",
        "spans",
        "relations",
        "split",
    ]
    assert record["schema"] == {"id": "news-attribution", "version": 1}
    assert record["project"] == "desk"
    assert record["title"] == "Responses"
    assert record["meta"] == {"published": "2020-10-01", "source": "AFP", "title": "Responses"}
    assert record["text"] == canon(TEXT_1)
    assert record["offsets"]["unit"] == "codepoint"
    assert record["offsets"]["normalization"] == "NFC,LF"
    assert len(record["offsets"]["text_sha256"]) == 64
    assert record["annotation"]["annotators"] == ["ana", "ben"]
    assert record["annotation"]["status"] == "reviewed"
    assert record["annotation"]["updated_at"].endswith("Z")
    assert record["split"] is None


def test_spans_after_emoji_and_crlf_index_the_canonical_text(desk):
    record = native(desk)[0]
    text = record["text"]
    for s in record["spans"]:
        assert text[s["start"] : s["end"]] == s["text"]
    quote2 = next(s for s in record["spans"] if s["text"].startswith("Europe"))
    assert quote2["text"] == "Europe must\nact now"
    borrell = next(s for s in record["spans"] if "Borrell" in s["text"])
    assert borrell["text"] == "José Borrell"
    assert borrell["end"] - borrell["start"] == len("José Borrell")
    assert [s["id"] for s in record["spans"]] == [f"s{i}" for i in range(1, 8)]
    assert {s["provenance"] for s in record["spans"]} == {""}
    assert all(s["origin"] == "imported" for s in record["spans"])


def test_relation_ends_and_the_cue_attribute_name_exported_span_ids(desk):
    record = native(desk)[0]
    ids = {s["id"]: s for s in record["spans"]}
    attribution = record["relations"][0]
    assert attribution["id"] == "r1"
    assert ids[attribution["from"]]["text"] == "we will respond"
    assert ids[attribution["to"]]["text"] == "The spokesman"
    assert ids[attribution["attrs"]["cue"]]["text"] == "said"
    assert [r["id"] for r in record["relations"]] == ["r1", "r2", "r3"]


def test_drafts_and_skipped_are_left_out_unless_asked_for(desk):
    everything = native(desk, layer="all")
    assert ("fr-3", "ben") not in by_layer(everything)
    assert ("fr-3", "ana") not in by_layer(everything)
    asked = by_layer(native(desk, layer="annotators", status="draft,skipped"))
    assert set(asked) == {("fr-3", "ben"), ("fr-3", "ana")}
    assert asked[("fr-3", "ben")]["spans"][0]["text"] == "Reuters"
    assert asked[("fr-3", "ana")]["annotation"]["status"] == "skipped"


def test_layer_filter_and_order_gold_first_then_analysts(desk):
    layers = [(r["id"], r["layer"]) for r in native(desk, layer="all")]
    assert layers == [
        ("afp-1", "gold"),
        ("afp-1", "ana"),
        ("afp-1", "ben"),
        ("reuters-2", "gold"),
        ("reuters-2", "ana"),
    ]
    annotators = by_layer(native(desk, layer="annotators"))
    assert set(annotators) == {("afp-1", "ana"), ("afp-1", "ben"), ("reuters-2", "ana")}
    assert annotators[("afp-1", "ana")]["annotation"]["annotators"] == ["ana"]
    assert annotators[("afp-1", "ben")]["spans"] == []


def test_labels_filter_keeps_relations_between_kept_spans_and_drops_dangling_cues(desk):
    record = native(desk, labels="Quote,Source")[0]
    assert {s["label"] for s in record["spans"]} == {"Quote", "Source"}
    assert [s["id"] for s in record["spans"]] == [f"s{i}" for i in range(1, 5)]
    assert [r["label"] for r in record["relations"]] == ["attributed_to", "attributed_to"]
    assert record["relations"][0]["attrs"] == {}  # its cue was a Cue span, filtered out
    spans = {s["id"] for s in record["spans"]}
    assert all(r["from"] in spans and r["to"] in spans for r in record["relations"])


def test_since_filter_uses_the_annotations_last_change(desk):
    old = timezone.now() - timedelta(days=30)
    Annotation.objects.filter(article__external_id="afp-1").update(updated_at=old)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert [r["id"] for r in native(desk, since=since)] == ["reuters-2"]
    assert len(native(desk, since=(old - timedelta(days=1)).date().isoformat())) == 2


def test_split_is_deterministic_and_follows_the_ratios():
    bounds = parse_split("80,10,10")
    parts = [split_of("desk", f"article-{i}", bounds) for i in range(20_000)]
    assert parts == [split_of("desk", f"article-{i}", bounds) for i in range(20_000)]
    for name, share in (("train", 0.8), ("dev", 0.1), ("test", 0.1)):
        assert abs(parts.count(name) / len(parts) - share) < 0.01
    two = parse_split("3,1")
    assert {split_of("desk", f"a{i}", two) for i in range(200)} == {"train", "test"}
    assert {split_of("desk", f"a{i}", parse_split("0,0,1")) for i in range(50)} == {"test"}


def test_split_field_is_the_same_for_every_layer_and_every_export(desk):
    first = native(desk, layer="all", split="50,25,25")
    second = native(desk, layer="all", split="50,25,25")
    assert first == second
    for record in first:
        assert record["split"] == split_of("desk", record["id"], parse_split("50,25,25"))


@pytest.mark.parametrize(
    "params, field",
    [
        ({"format": "xml"}, "format"),
        ({"layer": "mine"}, "layer"),
        ({"status": "done"}, "status"),
        ({"labels": "Quote,Speaker"}, "labels"),
        ({"since": "last week"}, "since"),
        ({"split": "80,20,x"}, "split"),
        ({"split": "1,2,3,4"}, "split"),
        ({"split": "-1,2"}, "split"),
        ({"split": "0,0"}, "split"),
        ({"lang": "english"}, "lang"),
        ({"page": "2"}, "page"),
        ({"format": ["native", "hf"]}, "format"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(project, params, field):
    with pytest.raises(Invalid) as caught:
        check_export_params(project, params)
    assert [p.field for p in caught.value.problems] == [field]


def test_a_language_spacy_cannot_load_is_refused_before_streaming(project):
    with pytest.raises(Invalid) as caught:
        prepare_export(project, {"format": "hf", "lang": "qq"})
    assert caught.value.problems[0].field == "lang"


def test_a_corrupted_span_stops_the_export_naming_article_and_span(desk):
    quote = Span.objects.get(
        annotation__is_gold=True, annotation__article__external_id="reuters-2", label="Quote"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE labels_span SET text = %s WHERE id = %s", ["it compile", quote.pk])
    for fmt in ("native", "brat", "conll"):
        with pytest.raises(ExportError) as caught:
            export_bytes(desk, format=fmt)
        assert "'reuters-2'" in str(caught.value)
        assert f"span {quote.pk}" in str(caught.value)


def test_queries_per_chunk_do_not_grow_with_the_articles(project, annotator):
    def make(n, start):
        articles = Article.objects.bulk_create(
            [
                Article(
                    project=project,
                    external_id=f"bulk-{start + i}",
                    text="Ana said “yes”.",
                    text_sha256="x" * 64,
                )
                for i in range(n)
            ]
        )
        golds = Annotation.objects.bulk_create(
            [Annotation(article=a, is_gold=True, status="reviewed") for a in articles]
            + [Annotation(article=a, annotator=annotator, status="submitted") for a in articles]
        )
        Span.objects.bulk_create(
            [Span(annotation=g, label="Source", start=0, end=3, text="Ana") for g in golds]
        )

    def count(chunk_size):
        options = check_export_params(project, {"layer": "all"})
        with CaptureQueriesContext(connection) as ctx:
            records = list(iter_records(project, options, chunk_size=chunk_size))
        return len(records), len(ctx.captured_queries)

    make(10, 0)
    # One chunk: SchemaVersion, the article cursor, then annotations, spans, relations and
    # the analysts behind gold.
    assert count(100) == (20, 6)
    make(40, 10)
    assert count(100) == (100, 6)
    # Chunks of 10 articles: the same four queries per chunk, 5 chunks.
    assert count(10) == (100, 2 + 4 * 5)


# --- formats --------------------------------------------------------------------------------


def test_spacy_docbins_load_and_hold_every_span_at_its_offsets(desk):
    import spacy
    from spacy.tokens import DocBin

    expected = by_layer(native(desk, layer="all", split="50,25,25"))
    data = export_bytes(desk, format="spacy", layer="all", split="50,25,25")
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names and all(re.fullmatch(r"(train|dev|test)/\d{5}\.spacy", n) for n in names)
    nlp = spacy.blank("xx")
    docs = []
    for name in names:
        docs.extend(DocBin().from_bytes(archive.read(name)).get_docs(nlp.vocab))
    assert len(docs) == len(expected)
    for doc in docs:
        record = expected[(doc.user_data["id"], doc.user_data["layer"])]
        assert doc.text == record["text"]
        assert f"{doc.user_data['split']}/" in next(
            n for n in names if n.startswith(doc.user_data["split"])
        )
        got = [(s.id_, s.label_, s.start_char, s.end_char, s.text) for s in doc.spans["sc"]]
        assert got == [
            (s["id"], s["label"], s["start"], s["end"], s["text"]) for s in record["spans"]
        ]
        assert [dict(r) for r in doc.user_data["relations"]] == record["relations"]


def test_spacy_docbin_loads_from_disk(desk, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    archive = zipfile.ZipFile(io.BytesIO(export_bytes(desk, format="spacy")))
    assert archive.namelist() == ["00001.spacy"]
    archive.extractall(tmp_path)
    docs = list(DocBin().from_disk(tmp_path / "00001.spacy").get_docs(spacy.blank("xx").vocab))
    assert [len(d.spans["sc"]) for d in docs] == [7, 4]


def test_hf_rows_load_with_json_and_tags_match_tokens(desk):
    lines = export_bytes(desk, format="hf", layer="all").decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 5
    labels = ["Quote", "Source", "Cue", "Claim", "Stance"]
    for row in rows:
        assert [k for k in row if k.startswith("ner_tags_")] == [f"ner_tags_{x}" for x in labels]
        for label in labels:
            assert len(row[f"ner_tags_{label}"]) == len(row["tokens"])
        assert not any(t.isspace() for t in row["tokens"])
    gold = rows[0]
    tagged = [
        (tok, tag)
        for tok, tag in zip(gold["tokens"], gold["ner_tags_Quote"], strict=True)
        if tag != "O"
    ]
    assert tagged == [
        ("we", "B-Quote"),
        ("will", "I-Quote"),
        ("respond", "I-Quote"),
        ("Europe", "B-Quote"),
        ("must", "I-Quote"),
        ("act", "I-Quote"),
        ("now", "I-Quote"),
    ]
    sources = [
        tok for tok, tag in zip(gold["tokens"], gold["ner_tags_Source"], strict=True) if tag != "O"
    ]
    assert sources == ["The", "spokesman", "José", "Borrell"]


def test_prodigy_token_end_is_inclusive_and_relations_point_at_last_tokens(desk):
    tasks = [json.loads(x) for x in export_bytes(desk, format="prodigy").decode().splitlines()]
    for task in tasks:
        tokens = task["tokens"]
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == task["text"]
        for s in task["spans"]:
            assert tokens[s["token_start"]]["start"] == s["start"]
            assert tokens[s["token_end"]]["end"] == s["end"]
            assert task["text"][s["start"] : s["end"]] == s["text"]
        for rel in task["relations"]:
            assert rel["head"] == rel["head_span"]["token_end"]
            assert rel["child"] == rel["child_span"]["token_end"]
        assert task["answer"] == "accept"
    first = tasks[0]
    spokesman = next(s for s in first["spans"] if s["text"] == "The spokesman")
    assert spokesman["token_end"] == spokesman["token_start"] + 1
    assert first["relations"][0]["label"] == "attributed_to"
    assert first["relations"][0]["child_span"]["start"] == spokesman["start"]


def test_a_span_starting_on_a_space_gets_a_token_of_its_own(project, annotator):
    text = "Ana said yes."
    load(
        project,
        "gold",
        {
            "id": "sp",
            "text": text,
            "spans": [{"label": "Cue", "start": 3, "end": 9, "text": " said "}],
        },
    )
    task = json.loads(export_bytes(project, format="prodigy").decode())
    s = task["spans"][0]
    assert task["tokens"][s["token_start"]]["text"] == " "
    assert task["tokens"][s["token_end"]]["text"] == " "
    assert (task["tokens"][s["token_start"]]["start"], task["tokens"][s["token_end"]]["end"]) == (
        3,
        9,
    )


def test_doccano_entities_index_the_text_and_import_back(desk, make_project, manager):
    rows = [json.loads(x) for x in export_bytes(desk, format="doccano").decode().splitlines()]
    entity_ids = []
    for row in rows:
        ids = {e["id"]: e for e in row["entities"]}
        entity_ids.extend(ids)
        for e in row["entities"]:
            assert row["text"][e["start_offset"] : e["end_offset"]]
        for rel in row["relations"]:
            assert rel["from_id"] in ids and rel["to_id"] in ids
    assert len(entity_ids) == len(set(entity_ids))  # unique through the file
    cue = rows[0]["relations"][0]["attrs"]["cue"]
    assert next(e for e in rows[0]["entities"] if e["id"] == cue)["label"] == "Cue"
    copy = make_project("copy", members={manager: "manager"})
    report = do_import(
        copy,
        [("d.jsonl", io.BytesIO(export_bytes(desk, format="doccano")))],
        fmt="doccano",
        layer="gold",
    )
    assert not report.errors
    assert normalized(native(copy)) == normalized(native(desk))


def test_labelstudio_json_is_one_task_per_article_and_imports_back(desk, make_project, manager):
    tasks = json.loads(export_bytes(desk, format="labelstudio", layer="all"))
    assert [t["data"]["id"] for t in tasks] == ["afp-1", "reuters-2"]
    assert tasks[0]["meta"]["layers"] == ["gold", "ana", "ben"]
    assert tasks[0]["data"]["published"] == "2020-10-01"
    assert [a["ground_truth"] for a in tasks[0]["annotations"]] == [True, False, False]
    for task in tasks:
        for annotation in task["annotations"]:
            regions = {r["id"]: r for r in annotation["result"] if r["type"] == "labels"}
            for r in regions.values():
                v = r["value"]
                assert task["data"]["text"][v["start"] : v["end"]] == v["text"]
            for r in annotation["result"]:
                if r["type"] == "relation":
                    assert r["from_id"] in regions and r["to_id"] in regions
                if r["type"] == "choices":
                    assert r["id"] in regions
    gold_only = export_bytes(desk, format="labelstudio")
    copy = make_project("copy", members={manager: "manager"})
    report = do_import(copy, [("ls.json", io.BytesIO(gold_only))], fmt="labelstudio", layer="gold")
    assert not report.errors
    # Label Studio has no place for the cue of a relation; everything else comes back.
    original = normalized(native(desk))
    for record in original.values():
        record["relations"] = [(label, a, b, {}) for label, a, b, _ in record["relations"]]
    assert normalized(native(copy)) == original


def test_brat_ann_offsets_index_the_txt(desk):
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(desk, format="brat", layer="all")))
    names = set(archive.namelist())
    assert "annotation.conf" in names
    conf = archive.read("annotation.conf").decode()
    assert "attributed_to\tArg1:Quote|Claim, Arg2:Source" in conf
    assert "quote_type\tArg:Quote, Value:direct|indirect|mixed" in conf
    assert {"gold/afp-1.txt", "gold/afp-1.ann", "ana/afp-1.ann", "ben/afp-1.ann"} <= names
    text = archive.read("gold/afp-1.txt").decode()
    assert text == canon(TEXT_1)
    ann = archive.read("gold/afp-1.ann").decode().splitlines()
    t_ids = set()
    for line in ann:
        if line.startswith("T"):
            t_id, middle, shown = line.split("\t")
            label, where = middle.split(" ", 1)
            fragments = [tuple(map(int, f.split())) for f in where.split(";")]
            assert " ".join(text[s:e] for s, e in fragments) == shown
            t_ids.add(t_id)
    quote2 = next(line for line in ann if "Europe must act now" in line)
    assert ";" in quote2.split("\t")[1]
    for line in ann:
        if line.startswith("R"):
            args = re.findall(r"Arg\d:(T\d+)", line)
            assert len(args) == 2 and set(args) <= t_ids
    assert any(re.fullmatch(r"A\d+\tquote_type T\d+ direct", line) for line in ann)
    assert any(re.fullmatch(r"#\d+\tAnnotatorNotes R1\tcue=T\d+", line) for line in ann)
    assert any(line.endswith("target=acting now") for line in ann)


def test_conll_has_one_block_per_record_with_a_tag_column_per_label(desk):
    blocks = export_bytes(desk, format="conll", split="80,10,10").decode().split("\n\n")
    blocks = [b for b in blocks if b.strip()]
    assert len(blocks) == 2
    for block in blocks:
        lines = block.splitlines()
        assert lines[0].startswith("# id = ")
        assert lines[1] == "# layer = gold"
        assert re.fullmatch(r"# split = (train|dev|test)", lines[2])
        assert lines[3] == "# columns = token\tQuote\tSource\tCue\tClaim\tStance"
        for line in lines[4:]:
            columns = line.split("\t")
            assert len(columns) == 6 and columns[0] and not re.search(r"\s", columns[0])
    said = next(line for line in blocks[0].splitlines() if line.startswith("said\t"))
    assert said.split("\t")[3] == "B-Cue"


# --- round trip -----------------------------------------------------------------------------


def normalized(records) -> dict:
    """Records without ids, timestamps and statuses: spans by (label, start, end), relations by
    their ends, span-valued attributes resolved to the span they name."""
    out = {}
    for r in records:
        key_of = {s["id"]: (s["label"], s["start"], s["end"]) for s in r["spans"]}
        out[(r["id"], r["layer"])] = {
            "text": r["text"],
            "title": r["title"],
            "meta": r["meta"],
            "spans": sorted(
                (
                    s["label"],
                    s["start"],
                    s["end"],
                    s["text"],
                    json.dumps(s["attrs"], sort_keys=True),
                    s.get("provenance", ""),
                )
                for s in r["spans"]
            ),
            "relations": sorted(
                (
                    rel["label"],
                    key_of[rel["from"]],
                    key_of[rel["to"]],
                    {k: key_of.get(v, v) for k, v in rel["attrs"].items()},
                )
                for rel in r["relations"]
            ),
        }
    return out


def test_native_export_imports_into_a_new_project_and_exports_the_same(desk, make_project, manager):
    first = native(desk, layer="all")
    copy = make_project("desk-copy", members={manager: "manager"})
    for layer in dict.fromkeys(r["layer"] for r in first):
        lines = [r for r in first if r["layer"] == layer]
        load(copy, layer, *lines)
    second = native(copy, layer="all")
    # The importer makes no layer from a record without spans (ben's empty afp-1 layer); every
    # layer with spans comes back the same.
    assert ("afp-1", "ben") not in normalized(second)
    assert normalized(second) == {
        key: value for key, value in normalized(first).items() if value["spans"]
    }
    # Astral characters, CRLF-origin text and the decomposed é all survived.
    assert "🇺🇦" in second[0]["text"] and "\r" not in second[0]["text"]
    assert any(s["text"] == "José Borrell" for s in second[0]["spans"])
    attribution = second[0]["relations"][0]
    assert attribution["attrs"]["cue"] in {s["id"] for s in second[0]["spans"]}


# --- command --------------------------------------------------------------------------------


def test_command_writes_the_file_atomically(desk, tmp_path):
    out = tmp_path / "gold.jsonl"
    call_command("export_annotations", "--project", "desk", "-o", str(out), "--split", "80,10,10")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["afp-1", "reuters-2"]
    assert list(tmp_path.iterdir()) == [out]


def test_command_writes_to_stdout_for_piping(desk):
    buffer = io.BytesIO()
    stdout = io.TextIOWrapper(buffer, encoding="utf-8")
    call_command("export_annotations", "--project", "desk", "--format", "conll", stdout=stdout)
    stdout.flush()
    assert buffer.getvalue().decode().startswith("# id = afp-1\n")


def test_command_leaves_no_file_when_the_export_fails(desk, tmp_path):
    Span.objects.filter(label="Cue").update(text="say")
    out = tmp_path / "gold.jsonl"
    with pytest.raises(CommandError, match="afp-1"):
        call_command("export_annotations", "--project", "desk", "-o", str(out))
    assert list(tmp_path.iterdir()) == []


def test_command_reports_bad_parameters(desk):
    with pytest.raises(CommandError, match="split"):
        call_command("export_annotations", "--project", "desk", "--split", "a,b")
    with pytest.raises(CommandError, match="No project"):
        call_command("export_annotations", "--project", "nope")


# --- API and page ---------------------------------------------------------------------------


def url(slug="desk", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/projects/{slug}/export/" + (f"?{query}" if query else "")


@pytest.mark.parametrize("who", ["manager", "reviewer"])
def test_managers_and_reviewers_download_a_stream(api, desk, request, who):
    response = api(request.getfixturevalue(who)).get(url(format="native", layer="all"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="desk-all-native-\d{8}-\d{6}\.jsonl"',
        response["Content-Disposition"],
    )
    body = b"".join(response.streaming_content).decode()
    assert len(body.splitlines()) == 5


def test_api_streams_zip_formats(api, desk, manager):
    response = api(manager).get(url(format="brat"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "gold/afp-1.ann" in archive.namelist()


def test_annotators_get_403_and_outsiders_404(api, desk, annotator, outsider, other_project):
    assert api(annotator).get(url()).status_code == 403
    assert api(outsider).get(url()).status_code == 404
    assert api(outsider).get(url("nope")).status_code == 404
    assert api().get(url()).status_code in (401, 403)


def test_bad_parameters_are_400_before_streaming(api, desk, manager):
    response = api(manager).get(url(format="native", split="80,x", status="done"))
    assert response.status_code == 400
    assert not isinstance(response, StreamingHttpResponse)
    assert {e["field"] for e in response.json()["errors"]} == {"split", "status"}


def test_project_page_offers_the_export_form_to_staff_only(client, desk, manager, annotator):
    client.force_login(manager)
    page = client.get("/projects/desk/").content.decode()
    assert 'action="/api/v1/projects/desk/export/"' in page
    client.force_login(annotator)
    page = client.get("/projects/desk/").content.decode()
    assert "/export/" not in page
