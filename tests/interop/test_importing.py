"""Importing native JSONL: whole-input checks, layers, re-imports. (Plain text and the other
formats are tested in tests/interop/formats/.)"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from labels.errors import ImportFailed
from labels.interop.importing import do_import
from labels.models import Annotation, Article, ArticleSearch, Membership, Relation, Span
from tests.support.imports import jsonl
from tests.support.paths import ROOT

pytestmark = pytest.mark.django_db

TEXT = "The minister said “we are ready” on Monday."


def record(external_id="a1", text=TEXT, spans=None, relations=None, **extra):
    out = {"id": external_id, "text": text, **extra}
    if spans is not None:
        out["spans"] = spans
    if relations is not None:
        out["relations"] = relations
    return out


QUOTE = {
    "id": "q",
    "label": "Quote",
    "start": 19,
    "end": 31,
    "text": "we are ready",
    "attrs": {"quote_type": "direct"},
}
SOURCE = {
    "id": "s",
    "label": "Source",
    "start": 0,
    "end": 12,
    "text": "The minister",
    "attrs": {"source_type": "person"},
}
CUE = {"id": "c", "label": "Cue", "start": 13, "end": 17, "text": "said"}
ATTRIBUTION = {"label": "attributed_to", "from": "q", "to": "s", "attrs": {"cue": "c"}}


def counts():
    return (
        Article.objects.count(),
        Annotation.objects.count(),
        Span.objects.count(),
        Relation.objects.count(),
    )


def test_imports_articles_spans_and_relations_into_gold(project):
    report = do_import(
        project,
        [
            (
                "in.jsonl",
                jsonl(record(spans=[QUOTE, SOURCE, CUE], relations=[ATTRIBUTION], title="Ready")),
            )
        ],
        layer="gold",
    )
    assert (report.created, report.layers_added, report.spans, report.relations) == (1, 1, 3, 1)
    article = Article.objects.get(project=project, external_id="a1")
    assert article.title == "Ready"
    gold = article.annotations.get(is_gold=True)
    assert gold.status == "reviewed"
    quote = gold.spans.get(label="Quote")
    assert article.text[quote.start : quote.end] == quote.text == "we are ready"
    relation = gold.relations.get()
    assert relation.source == quote
    assert relation.attrs == {"cue": gold.spans.get(label="Cue").pk}


def test_progress_is_told_after_each_stage_and_can_stop_the_import(project):
    told: list[tuple[float, str]] = []
    data = [
        (
            "in.jsonl",
            jsonl(record(spans=[QUOTE, SOURCE, CUE], relations=[ATTRIBUTION]), record("a2")),
        )
    ]
    do_import(project, data, layer="gold", progress=lambda f, m: told.append((f, m)))
    assert told == [
        (0.3, "Read 2 records"),
        (0.6, "Checked; 2 articles written"),
        (0.85, "3 spans and 1 relation written"),
    ]

    class Stop(Exception):
        pass

    def stop(fraction, message):
        if fraction > 0.5:
            raise Stop  # e.g. a background job cancelled half way

    more = [("more.jsonl", jsonl(record("b1", spans=[QUOTE])))]
    before = counts()
    with pytest.raises(Stop):
        do_import(project, more, layer="gold", progress=stop)
    assert counts() == before  # the articles written before it stopped were rolled back


def test_one_bad_line_among_good_ones_imports_nothing_and_names_the_line(project):
    good = [json.dumps(record(f"a{i}")) for i in range(5)]
    bad = json.dumps(record("bad", spans=[QUOTE | {"end": 999}]))
    payload = "\n".join(good[:3] + [bad] + good[3:]).encode()
    before = counts()
    with pytest.raises(ImportFailed) as failure:
        do_import(project, [("articles.jsonl", io.BytesIO(payload))], layer="gold")
    assert failure.value.report.errors == [
        "articles.jsonl:4: spans[0].end: [19, 999) is not a non-empty range inside the text (length 43)"
    ]
    assert counts() == before


def test_reports_every_kind_of_bad_record_with_its_line(project):
    lines = [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"text": TEXT}),
        json.dumps(record("nul", text="bad\x00text")),
        json.dumps(record("lbl", spans=[QUOTE | {"label": "Rumour"}])),
        json.dumps(record("mismatch", spans=[QUOTE | {"text": "we are READY"}])),
        json.dumps(record("attr", spans=[QUOTE | {"attrs": {"quote_type": "sarcastic"}}])),
        json.dumps(
            record(
                "rel",
                spans=[QUOTE, CUE],
                relations=[{"label": "attributed_to", "from": "q", "to": "c"}],
            )
        ),
        json.dumps(record("dup")),
        json.dumps(record("dup")),
    ]
    with pytest.raises(ImportFailed) as failure:
        do_import(project, [("f.jsonl", io.BytesIO("\n".join(lines).encode()))], layer="gold")
    errors = failure.value.report.errors
    assert [e.split(":")[1] for e in errors] == ["1", "2", "3", "4", "5", "6", "7", "8", "10"]
    assert "not valid JSON" in errors[0]
    assert "NUL" in errors[3]
    assert "Rumour" in errors[4]
    assert "we are ready" in errors[5]
    assert "“sarcastic” is not a choice for quote_type" in errors[6]
    assert "Quote or Claim" in errors[7]
    assert "already appears at f.jsonl:9" in errors[8]
    assert Article.objects.count() == 0


def test_partial_import_keeps_the_good_records_and_reports_the_bad(project):
    payload = "\n".join([json.dumps(record("ok")), "{broken", json.dumps(record("ok2"))]).encode()
    report = do_import(project, [("f.jsonl", io.BytesIO(payload))], partial=True)
    assert report.created == 2
    assert len(report.errors) == 1 and report.errors[0].startswith("f.jsonl:2:")


def test_a_partial_import_of_only_bad_records_writes_nothing(project, make_user):
    newcomer = make_user("nina")
    payload = b"{broken\n" + json.dumps(record("empty", text="   ")).encode()
    report = do_import(project, [("f.jsonl", io.BytesIO(payload))], partial=True, layer="nina")
    assert not report.written and len(report.errors) == 2
    assert counts() == (0, 0, 0, 0)
    # The layer's user would have become a member only to receive records.
    assert not Membership.objects.filter(project=project, user=newcomer).exists()


def test_offsets_refer_to_the_raw_text_and_are_mapped_through_canonicalisation(project):
    raw = "😀 Line one.\r\nJose\u0301 said “yes”."
    quote_start = raw.index("yes")
    span = {
        "label": "Quote",
        "start": quote_start,
        "end": quote_start + 3,
        "text": "yes",
        "attrs": {"quote_type": "direct"},
    }
    source = {
        "label": "Source",
        "start": raw.index("Jose"),
        "end": raw.index("Jose") + 5,
        "text": "Jose\u0301",
    }
    do_import(
        project, [("f.jsonl", jsonl(record("u", text=raw, spans=[span, source])))], layer="gold"
    )
    article = Article.objects.get(external_id="u")
    assert article.text == "😀 Line one.\nJosé said “yes”."
    for stored in Span.objects.filter(annotation__article=article):
        assert article.text[stored.start : stored.end] == stored.text
    assert set(Span.objects.values_list("text", flat=True)) == {"yes", "José"}


def test_reimporting_the_same_id_never_duplicates_and_adds_a_missing_layer(
    project, annotator, annotator2
):
    do_import(project, [("a.jsonl", jsonl(record(spans=[QUOTE])))], layer=annotator.username)
    report = do_import(
        project, [("b.jsonl", jsonl(record(spans=[QUOTE, SOURCE])))], layer=annotator2.username
    )
    assert (report.created, report.unchanged, report.layers_added) == (0, 1, 1)
    assert Article.objects.filter(external_id="a1").count() == 1
    layer = Annotation.objects.get(annotator=annotator2)
    assert layer.status == "submitted" and layer.spans.count() == 2


def test_reimporting_a_layer_that_exists_skips_its_spans_and_says_so(project, annotator):
    do_import(project, [("a.jsonl", jsonl(record(spans=[QUOTE])))], layer=annotator.username)
    report = do_import(
        project, [("a.jsonl", jsonl(record(spans=[QUOTE, SOURCE])))], layer=annotator.username
    )
    assert report.layers_added == 0
    assert report.skipped == ["a.jsonl:1: 'a1' already has a ana layer; its spans were skipped"]
    assert Span.objects.count() == 1


def test_reimporting_an_id_with_a_different_text_is_an_error(project):
    do_import(project, [("a.jsonl", jsonl(record()))])
    with pytest.raises(ImportFailed) as failure:
        do_import(project, [("b.jsonl", jsonl(record(text="Another text.")))])
    assert failure.value.report.errors == [
        "b.jsonl:1: an article with id 'a1' already exists with a different text"
    ]


def test_a_layer_user_who_is_not_a_member_becomes_an_annotator(project, make_user):
    newcomer = make_user("nina")
    report = do_import(project, [("a.jsonl", jsonl(record(spans=[QUOTE])))], layer="nina")
    assert report.notes == ["nina was not a member of desk; added as annotator."]
    assert Membership.objects.get(project=project, user=newcomer).role == "annotator"


def test_command_prints_file_and_line_and_exits_non_zero(project, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record("a")) + "\n" + json.dumps(record("b", text="")) + "\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_articles", str(path), project=project.slug, stderr=err, stdout=io.StringIO()
        )
    assert f"{path}:2: text:" in err.getvalue()
    assert Article.objects.count() == 0


def test_command_says_when_a_user_is_added_as_annotator(project, make_user, tmp_path):
    make_user("nina")
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record(spans=[QUOTE])) + "\n")
    out = io.StringIO()
    call_command("import_articles", str(path), project=project.slug, layer="nina", stdout=out)
    assert "nina was not a member of desk; added as annotator." in out.getvalue()
    assert "1 article(s) created" in out.getvalue()


def test_seed_demo_builds_the_demo_and_running_it_again_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    before = counts()
    assert before[0] == 12  # six articles in each of the two demo projects
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before
    seed = Article.objects.get(project__slug="belarus-desk", external_id="putin-macron-2020-10-01")
    assert seed.text.startswith("Russian President Vladimir Putin told")
    assert seed.meta["published"] == "2020-10-01"


def test_demo_gold_texts_are_the_canonical_texts_of_the_seed_files(project):
    """seeds/gold.jsonl carries the text of each seeds/articles/*.txt as the text importer
    stores it, so the demo's gold offsets refer to the same text as the source files."""
    from labels.interop.formats.plain import read_text
    from labels.text import canonicalize

    seeds = ROOT / "seeds"
    gold = {
        json.loads(line)["id"]: json.loads(line)
        for line in (seeds / "gold.jsonl").read_text().splitlines()
        if line
    }
    files = sorted((seeds / "articles").glob("*.txt"))
    assert {f.stem for f in files} == set(gold)
    for path in files:
        with path.open("rb") as handle:
            (record,) = list(read_text(path.name, handle))
        assert canonicalize(record.raw_text).text == gold[path.stem]["text"], path.name
        assert record.meta["published"] == gold[path.stem]["meta"]["published"]


def test_an_article_created_concurrently_rolls_the_copy_back(project, monkeypatch):
    """The articles are written with COPY: the unique constraint still checks them, the error is
    Django's IntegrityError, and nothing of the import stays."""
    from django.db import IntegrityError

    do_import(project, [("in.jsonl", jsonl(record("a1")))])
    before = counts()
    # As if another import had created a1 after this one looked for existing articles.
    from labels.interop import importing

    monkeypatch.setattr(importing, "_existing_articles", lambda project, ids: {})
    with pytest.raises(IntegrityError, match="labels_article_unique_external_id"):
        do_import(
            project,
            [("in.jsonl", jsonl(record("a2", spans=[QUOTE]), record("a1", spans=[QUOTE])))],
            layer="gold",
        )
    assert counts() == before


def test_text_with_tabs_newlines_and_backslashes_is_stored_exactly(project):
    """Spans and relations reach PostgreSQL as lines of COPY's text format, where a backslash,
    a tab or a line break in a value must be escaped: every one comes back as it went in."""
    text = "Tab\there, a back\\slash \\N and\r\na line break: \\. end"
    canonical = text.replace("\r\n", "\n")
    tricky = canonical[: canonical.index(":")]
    stance = {
        "id": "st",
        "label": "Stance",
        "start": 0,
        "end": text.index(":"),  # offsets count the raw text, where the line break is CRLF
        "text": tricky,
        "attrs": {"polarity": "neutral", "target": 'a "quoted"\\ \t target\nwith \\N'},
    }
    second = {
        "id": "st2",
        "label": "Stance",
        "start": canonical.index("\\."),
        "end": len(canonical),
        "text": "\\. end",
        "attrs": {"polarity": "favor"},
    }
    raw_second = second | {"start": text.index("\\."), "end": len(text)}
    report = do_import(
        project, [("in.jsonl", jsonl(record("t1", text, spans=[stance, raw_second])))], layer="gold"
    )
    assert report.spans == 2 and not report.errors
    stored = {s.label + str(s.start): s for s in Span.objects.all()}
    first = stored["Stance0"]
    assert first.text == tricky and first.attrs == stance["attrs"]
    other = stored[f"Stance{second['start']}"]
    assert other.text == "\\. end" and other.end == len(canonical)
    assert Article.objects.get().text == canonical


def test_an_import_stores_articles_without_computing_their_search_index(project):
    """The full-text vectors are built after the import has answered
    (tests/interop/test_search_index.py): the import writes none."""
    records = [record(f"m{i}", f"Article {i} about zebras and elections.") for i in range(30)]
    report = do_import(project, [("in.jsonl", jsonl(*records))])
    assert report.created == 30
    assert ArticleSearch.pending(project) == 30
    assert not Article.objects.search("zebras").exists()


def orphans() -> dict[str, int]:
    """Rows of the labels tables whose foreign key names no row, per constraint. PostgreSQL's
    own checks of deferred keys would only run at COMMIT, which a test never reaches; this
    looks directly."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
              array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY i),
              array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY i)
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid::regclass::text LIKE 'labels\\_%'
            """
        )
        keys = cursor.fetchall()
        assert len(keys) > 15  # the query finds the keys
        found = {}
        for name, child, parent, columns, referenced in keys:
            given = " AND ".join(f'c."{column}" IS NOT NULL' for column in columns)
            match = " AND ".join(
                f'p."{r}" = c."{k}"' for k, r in zip(columns, referenced, strict=True)
            )
            cursor.execute(
                f"SELECT count(*) FROM {child} c WHERE {given} "
                f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})"
            )
            if count := cursor.fetchone()[0]:
                found[name] = count
    return found


def replication_role() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def test_imports_leave_every_foreign_key_whole(project, annotator, annotator2, admin_user):
    """The import checks its rows' foreign keys in bulk (``_references_locked_in_bulk``):
    gold, an annotator's layer, a layer added to existing articles (one with a draft), and
    suggestions all leave no row pointing at nothing, and the setting is back afterwards."""
    from labels.annotation import queue

    full = record(spans=[QUOTE, SOURCE, CUE], relations=[ATTRIBUTION])
    do_import(project, [("g.jsonl", jsonl(full, record("a2", spans=[QUOTE])))], layer="gold")
    drafted = Article.objects.get(external_id="a2")
    queue.do_get_or_create_own(drafted, annotator2)  # a draft, which the next import fills
    report = do_import(
        project,
        [("u.jsonl", jsonl(full, record("a2", spans=[SOURCE]), record("a3", spans=[CUE])))],
        layer=annotator2.username,
        actor=admin_user,
    )
    assert (report.created, report.unchanged, report.spans) == (1, 2, 5)
    do_import(project, [("s.jsonl", jsonl(record("a4", spans=[QUOTE])))], layer="suggestions")
    assert replication_role() == "origin"
    assert orphans() == {}
    assert Span.objects.filter(annotation__annotator=annotator2).count() == 5


def test_an_article_deleted_while_importing_is_an_integrity_error(project, monkeypatch):
    """An article the import found existing but that is gone by the time it writes: the lock
    the row checks would have taken finds it missing, and nothing is written."""
    from django.db import IntegrityError

    do_import(project, [("a.jsonl", jsonl(record("a1")))])
    stale = {"a1": Article.objects.get(external_id="a1")}
    Article.objects.all().delete()
    before = counts()
    from labels.interop import importing

    monkeypatch.setattr(importing, "_existing_articles", lambda project, ids: stale)
    with pytest.raises(IntegrityError, match="was deleted while the import ran"):
        do_import(project, [("b.jsonl", jsonl(record("a1", spans=[QUOTE])))], layer="gold")
    assert counts() == before
    assert orphans() == {}


def test_a_role_that_may_not_skip_the_row_checks_imports_with_them(project, annotator):
    """Without the privilege to set session_replication_role (an application role that is not
    a superuser), PostgreSQL's own row checks run and the import is the same."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE annotator_import_test NOSUPERUSER")
        cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO annotator_import_test")
        cursor.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO annotator_import_test")
        cursor.execute("SET ROLE annotator_import_test")
        try:
            report = do_import(
                project,
                [("in.jsonl", jsonl(record(spans=[QUOTE, SOURCE, CUE], relations=[ATTRIBUTION])))],
                layer=annotator.username,
            )
            assert replication_role() == "origin"
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the row checks, now
        finally:
            cursor.execute("RESET ROLE")
    assert (report.spans, report.relations) == (3, 1)
    assert orphans() == {}


def test_the_tables_an_import_writes_have_no_trigger_it_would_skip():
    """While an import writes, PostgreSQL fires no row triggers (``_references_locked_in_bulk``).
    The only triggers of those tables guard UPDATE and DELETE of history (and check that deleted
    history went with its annotation), which an import never does; a new trigger on them must be
    weighed there first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid::regclass::text = ANY(%s) ORDER BY tgname",
            [
                [
                    "labels_article",
                    "labels_annotation",
                    "labels_span",
                    "labels_relation",
                    "labels_historyevent",
                ]
            ],
        )
        assert cursor.fetchall() == [
            ("labels_historyevent", "labels_history_append_only"),
            ("labels_historyevent", "labels_history_deleted_with_its_annotation"),
        ]


def test_the_command_reports_a_conflicting_import_in_a_line(project, monkeypatch, tmp_path):

    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl(record("a1")).getvalue())
    call_command("import_articles", str(path), project=project.slug, stdout=io.StringIO())
    from labels.interop import importing

    monkeypatch.setattr(importing, "_existing_articles", lambda project, ids: {})
    with pytest.raises(CommandError, match="changed while this import ran, so nothing was written"):
        call_command("import_articles", str(path), project=project.slug, stdout=io.StringIO())
    assert Article.objects.count() == 1


# --- What PostgreSQL or the export cannot carry: refused with its line, in every format --------
#
# json.dumps (ensure_ascii) writes a lone surrogate as its \udXXX escape, as a broken exporter
# would; the numbers are written out as JSON text.


def import_text(project, name: str, fmt: str, content: str | bytes, **kwargs):
    data = content if isinstance(content, bytes) else content.encode()
    return do_import(project, [(name, io.BytesIO(data))], fmt=fmt, **kwargs)


def refused(project, name: str, fmt: str, content: str | bytes) -> list[str]:
    before = counts()
    with pytest.raises(ImportFailed) as failure:
        import_text(project, name, fmt, content, layer="gold")
    assert counts() == before
    assert not failure.value.report.written
    return failure.value.report.errors


GOOD_LINE = json.dumps(record("ok"))

SURROGATE_LINES = {
    "native": [
        (json.dumps(record("a\ud800")), "id"),
        (json.dumps(record("t", title="\udfff")), "title"),
        (json.dumps(record("m", meta={"source": ["AFP", "\ud83d"]})), "meta.source[1]"),
        (json.dumps(record("k", meta={"\ud83d": 1})), "meta"),
        (json.dumps(record("x", text="Fine \ud800 text.")), "text"),
        (json.dumps(record("s", spans=[QUOTE | {"attrs": {"\udc00": "x"}}])), "spans[0].attrs"),
    ],
    "doccano": [
        (json.dumps({"id": "a\ud800", "text": TEXT}), "id"),
        (json.dumps({"id": "d", "text": TEXT, "source": "\ud800"}), "source"),
        (json.dumps({"id": "e", "text": TEXT, "label": [[0, 3, "\ud800"]]}), "label[0][2]"),
    ],
}


@pytest.mark.parametrize(
    ("fmt", "line", "field"),
    [(fmt, line, field) for fmt, lines in SURROGATE_LINES.items() for line, field in lines],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else None,
)
def test_a_lone_surrogate_in_a_jsonl_record_is_refused_naming_the_line_and_field(
    project, fmt, line, field
):
    errors = refused(project, "in.jsonl", fmt, f"{GOOD_LINE}\n{line}\n")
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"in.jsonl:2: {field}: ")
    assert "lone surrogate" in errors[0]


@pytest.mark.parametrize(
    ("task", "field"),
    [
        ({"id": 1, "data": {"text": TEXT, "id": "a\ud800"}}, "data.id"),
        ({"id": 2, "data": {"text": TEXT, "title": "\udfff"}}, "data.title"),
        ({"id": 3, "data": {"text": TEXT, "source": {"\ud800": 1}}}, "data.source"),
    ],
)
def test_a_lone_surrogate_in_a_label_studio_task_is_refused_naming_its_line(project, task, field):
    good = {"id": 9, "data": {"text": "Another text."}}
    content = "[\n" + json.dumps(good) + ",\n" + json.dumps(task) + "\n]\n"
    errors = refused(project, "tasks.json", "labelstudio", content)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"tasks.json:3: {field}: ") and "lone surrogate" in errors[0]


@pytest.mark.parametrize(("fmt", "name"), [("text", "one.txt"), ("csv", "rows.csv")])
def test_an_encoded_surrogate_in_a_text_or_csv_file_is_not_utf8_and_refused(project, fmt, name):
    """Text and CSV are decoded from UTF-8, which has no surrogates: CESU-8's ED A0 80 is not
    valid UTF-8 (these formats were refused cleanly already; kept so they stay so)."""
    body = b"Fine text.\xed\xa0\x80"
    content = body if fmt == "text" else b"id,text\nr1," + body + b"\n"
    errors = refused(project, name, fmt, content)
    assert len(errors) == 1 and "not valid UTF-8" in errors[0], errors


NUMBER_AND_DEPTH_META = [
    ('{"x": NaN}', "meta.x: NaN is not a finite number"),
    ('{"x": -Infinity}', "meta.x: -Infinity is not a finite number"),
    ('{"x": 1e999}', "meta.x: 1e999 is not a finite number"),
    ('{"x": ' + "7" * 4301 + "}", "meta.x: An integer of 4301 digits is beyond 64 bits"),
    ('{"x": 1' + "0" * 399 + "}", "meta.x: An integer of 400 digits is beyond 64 bits"),
    ('{"x": 1' + "0" * 29 + "}", "meta.x: An integer of 30 digits is beyond 64 bits"),
    ('{"a": ' * 600 + "1" + "}" * 600, "The JSON is nested deeper than 64 levels"),
]


@pytest.mark.parametrize(("meta", "reason"), NUMBER_AND_DEPTH_META)
def test_meta_the_export_could_not_carry_is_refused_in_native(project, meta, reason):
    line = '{"id": "bad", "text": "Fine.", "meta": ' + meta + "}"
    (error,) = refused(project, "in.jsonl", "native", f"{GOOD_LINE}\n{line}\n")
    assert error.startswith(f"in.jsonl:2: {reason}"), error


@pytest.mark.parametrize(("meta", "reason"), NUMBER_AND_DEPTH_META)
def test_meta_the_export_could_not_carry_is_refused_in_doccano(project, meta, reason):
    # doccano keeps other fields as the example's metadata: the same value one level up.
    line = '{"id": "bad", "text": "Fine.", "meta": ' + meta + "}"
    (error,) = refused(project, "in.jsonl", "doccano", f"{GOOD_LINE}\n{line}\n")
    assert error.startswith(f"in.jsonl:2: {reason}"), error


@pytest.mark.parametrize(("meta", "reason"), NUMBER_AND_DEPTH_META)
def test_meta_the_export_could_not_carry_is_refused_in_label_studio(project, meta, reason):
    good = json.dumps({"id": 9, "data": {"text": "Another text."}})
    task = '{"id": 1, "data": {"text": "Fine.", "meta": ' + meta + "}}"
    content = f"[\n{good},\n{task}\n]\n"
    (error,) = refused(project, "tasks.json", "labelstudio", content)
    assert error.startswith(f"tasks.json:3: {reason.replace('meta.x', 'data.meta.x')}"), error


def test_a_partial_import_leaves_out_only_the_records_the_export_could_not_carry(project):
    lines = [
        GOOD_LINE,
        *('{"id": "b", "text": "Fine.", "meta": ' + m + "}" for m, _ in NUMBER_AND_DEPTH_META),
    ]
    lines.append(json.dumps(record("ok2", meta={"n": 2**64 - 1, "m": -(2**63)})))
    report = import_text(project, "in.jsonl", "native", "\n".join(lines) + "\n", partial=True)
    assert report.written and report.created == 2
    assert [e.split(":")[1] for e in report.errors] == [str(n) for n in range(2, 9)]
    assert Article.objects.get(external_id="ok2").meta == {"n": 2**64 - 1, "m": -(2**63)}


def test_a_label_studio_task_nested_too_deep_stops_the_file_at_its_line(project):
    good = json.dumps({"id": 9, "data": {"text": "Another text."}})
    deep = '{"id": 1, "data": {"text": "Fine.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    errors = refused(project, "tasks.json", "labelstudio", f"[\n{good},\n{deep}\n]\n")
    assert errors == [
        "tasks.json:3: The JSON is nested deeper than 64 levels of arrays and objects."
    ]


def test_records_made_in_code_are_held_to_the_same_rules(project):
    from labels.errors import Invalid
    from labels.interop.importing import do_create_article

    for meta, code in (
        ({"x": float("nan")}, "not_finite"),
        ({"x": 10**30}, "number_too_large"),
        ({"x": "\ud800"}, "lone_surrogate"),
    ):
        with pytest.raises(Invalid) as refusal:
            do_create_article(project, external_id="a", raw_text="Fine.", meta=meta)
        assert [(p.field, p.code) for p in refusal.value.problems] == [("meta.x", code)]
    with pytest.raises(Invalid) as refusal:
        do_create_article(project, external_id="b\ud800", raw_text="Fine.")
    assert [(p.field, p.code) for p in refusal.value.problems] == [("id", "lone_surrogate")]
    assert Article.objects.count() == 0
