"""Property-based: hostile values sent to every write endpoint, every form and every import
format get a 4xx with the project's error shape, and nothing is written.

A hostile value is one no field may accept: a lone surrogate or a NUL character in any string
(PostgreSQL text cannot hold either), JSON nested far deeper than any document of ours,
integers beyond what the database and the export carry, non-finite numbers, dates out of range
or with time-zone offsets PostgreSQL cannot store, and values of the wrong type. Each example
puts one of them in one place of an otherwise valid request. Bounded to about a minute.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labels.annotation import queue
from labels.models import (
    Annotation,
    Article,
    HistoryEvent,
    Membership,
    Project,
    RejectedSuggestion,
    Relation,
    SchemaVersion,
    Span,
    SuggestionSet,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

TEXT = "The minister said “we are ready” on Monday."
HOLE = '"@@HOSTILE@@"'  # replaced, as JSON text, by the hostile fragment
EXAMPLES = 25

# --- Hostile JSON fragments ----------------------------------------------------------------------

surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
ordinary = st.characters(blacklist_categories=("Cs",))


def _quoted(text: str) -> str:
    return json.dumps(text)  # ensure_ascii: lone surrogates become \\udXXX escapes


bad_strings = st.one_of(
    st.builds(
        lambda a, s, b: _quoted(a + s + b),
        st.text(ordinary, max_size=5),
        surrogates,
        st.text(ordinary, max_size=5),
    ),
    st.builds(
        lambda a, b: _quoted(a + "\x00" + b),
        st.text(ordinary, max_size=5),
        st.text(ordinary, max_size=5),
    ),
)
deep = st.sampled_from(
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 600 + "1" + "}" * 600, "[" * 5_000 + "]" * 5_000]
)
huge_numbers = st.sampled_from(
    ["1" + "0" * 5_000, "-" + "9" * 400, "1" + "0" * 30, "1e999", "NaN", "Infinity", "-Infinity"]
)
bad_dates = st.sampled_from(
    [
        '"2020-01-01T00:00:00+16:00"',
        '"2020-13-45"',
        '"10000-01-01"',
        '"0000-00-00T25:61:61"',
        '"yesterday"',
    ]
)


def wrong_types(expected: str) -> st.SearchStrategy[str]:
    examples = {
        "string": ["{}", "[]", "true", "12"],
        "integer": ["[]", "{}", "1.5", "true"],
        "object": ['"x"', "[]", "1", "true"],
        "list": ['"x"', "{}", "1"],
    }
    return st.sampled_from(examples[expected])


def hostile(expected: str, *, dates: bool = False) -> st.SearchStrategy[str]:
    """Fragments no field of type ``expected`` may accept (``any``: free-form JSON, such as an
    article's ``meta``, where only what JSON storage cannot carry is hostile)."""
    if expected == "any":
        return st.one_of(bad_strings, bad_strings.map(keyed), deep, huge_numbers)
    options = [bad_strings, deep, wrong_types(expected)]
    if expected == "object":
        options.append(bad_strings.map(keyed))  # a key JSON storage cannot carry
    if expected in ("integer", "object", "list"):
        options.append(huge_numbers)
    if expected == "string":
        options.append(deep)
    if dates:
        options.append(bad_dates)
    return st.one_of(options)


def keyed(fragment: str) -> str:
    """An object whose key is the (string) fragment."""
    return "{" + fragment + ": 1}"


# --- The world the requests are made in ----------------------------------------------------------


def counts() -> dict[str, int]:
    models = (
        Article,
        Annotation,
        Span,
        Relation,
        HistoryEvent,
        Project,
        Membership,
        SchemaVersion,
        SuggestionSet,
        RejectedSuggestion,
    )
    return {m.__name__: m.objects.count() for m in models}


@dataclass
class World:
    project: Project
    mine: Annotation
    gold_article: Article
    span: Span
    manager: object
    annotator: object
    reviewer: object


@pytest.fixture
def world(project, make_article, manager, annotator, reviewer):
    from labels.annotation import spans

    mine = queue.do_get_or_create_own(make_article(project, TEXT), annotator)
    start = TEXT.index("said")
    span = spans.do_add_span(
        mine,
        annotator,
        {"start": start, "end": start + 4, "text": "said", "label": "Cue"},
        version=mine.version,
    ).obj
    mine.refresh_from_db()
    return World(
        project,
        mine,
        make_article(project, "Another text, said AFP."),
        span,
        manager,
        annotator,
        reviewer,
    )


def assert_refused(response, before: dict[str, int]) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        assert body["errors"], body
        for error in body["errors"]:
            assert set(error) >= {"field", "code", "message"} and error["message"], error
    assert counts() == before


def send(client, method: str, url: str, template: str, fragment: str):
    body = template.replace(HOLE, fragment).encode("utf-8", "surrogatepass")
    return getattr(client, method)(url, body, content_type="application/json")


# --- API writes ---------------------------------------------------------------------------------


@dataclass
class Write:
    name: str
    who: str
    method: str
    url: Callable[[World], str]
    template: str  # JSON text with the version and, for each field, HOLE substituted in turn
    fields: dict[str, str]  # field → expected type


def _with_hole(template: str, field: str) -> str:
    data = json.loads(template)
    parts = field.split(".")
    target = data
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = "@@HOSTILE@@"
    return json.dumps(data)


WRITES = [
    Write(
        "span-create",
        "annotator",
        "post",
        lambda w: f"/api/v1/annotations/{w.mine.pk}/spans/",
        '{"start": 4, "end": 12, "text": "minister", "label": "Cue", "attrs": {}, "version": 0}',
        {
            "start": "integer",
            "end": "integer",
            "text": "string",
            "label": "string",
            "attrs": "object",
            "version": "integer",
            "client_id": "string",
        },
    ),
    Write(
        "span-edit",
        "annotator",
        "patch",
        lambda w: f"/api/v1/annotations/{w.mine.pk}/spans/{w.span.pk}/",
        '{"label": "Cue", "version": 0}',
        {"label": "string", "attrs": "object", "start": "integer", "version": "integer"},
    ),
    Write(
        "skip",
        "annotator",
        "post",
        lambda w: f"/api/v1/annotations/{w.mine.pk}/skip/",
        '{"reason": "duplicate", "version": 0}',
        {"reason": "string", "version": "integer"},
    ),
    Write(
        "project-edit",
        "manager",
        "patch",
        lambda w: f"/api/v1/projects/{w.project.slug}/",
        '{"name": "Desk"}',
        {
            "name": "string",
            "description": "string",
            "schema": "object",
            "annotators_per_article": "integer",
            "guidelines": "string",
        },
    ),
    Write(
        "project-create",
        "manager",
        "post",
        lambda w: "/api/v1/projects/",
        '{"slug": "new-desk", "name": "New desk"}',
        {"slug": "string", "name": "string", "schema": "object"},
    ),
    Write(
        "member-add",
        "manager",
        "post",
        lambda w: f"/api/v1/projects/{w.project.slug}/members/",
        '{"username": "otto", "role": "annotator"}',
        {"username": "string", "role": "string"},
    ),
    Write(
        "article-create",
        "manager",
        "post",
        lambda w: f"/api/v1/projects/{w.project.slug}/articles/",
        '{"id": "fresh-1", "text": "A text.", "title": "T", "meta": {}}',
        {
            "id": "string",
            "text": "string",
            "title": "string",
            "meta": "object",
            "meta.source": "any",
        },
    ),
    Write(
        "gold-span",
        "reviewer",
        "post",
        lambda w: f"/api/v1/articles/{w.gold_article.pk}/review/spans/",
        '{"start": 0, "end": 7, "text": "Another", "label": "Cue", "version": 1}',
        {
            "start": "integer",
            "text": "string",
            "label": "string",
            "attrs": "object",
            "version": "integer",
        },
    ),
    Write(
        "suggestion-accept",
        "annotator",
        "post",
        lambda w: f"/api/v1/annotations/{w.mine.pk}/suggestions/accept/",
        '{"key": "Cue:18:22", "version": 0}',
        {"key": "string", "version": "integer"},
    ),
]
CASES = [(write, field) for write in WRITES for field in write.fields]


@pytest.mark.parametrize("write, field", CASES, ids=[f"{w.name}:{f}" for w, f in CASES])
def test_hostile_values_in_api_writes_are_refused_and_write_nothing(api, world, write, field):
    client = api(getattr(world, write.who))
    url = write.url(world)
    template = write.template.replace('"version": 0', f'"version": {world.mine.version}')
    holed = _with_hole(template, field)  # a field the template lacks is added

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(fragment=hostile(write.fields[field]))
    def check(fragment):
        before = counts()
        assert_refused(send(client, write.method, url, holed, fragment), before)

    check()


# --- Export parameters -------------------------------------------------------------------------


@settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(
    name=st.sampled_from(["since", "format", "layer", "labels", "status", "split", "lang"]),
    value=st.one_of(
        st.sampled_from(["2020-01-01T00:00:00+16:00", "10000-01-01", "train:2", "x" * 300]),
        st.builds(
            lambda a, b: a + "\x00" + b,
            st.text(ordinary, max_size=3),
            st.text(ordinary, max_size=3),
        ),
    ),
)
def test_hostile_export_parameters_are_refused_before_a_byte_is_sent(api, world, name, value):
    response = api(world.manager).get(
        f"/api/v1/projects/{world.project.slug}/export/", {name: value}
    )
    assert 400 <= response.status_code < 500, (name, value, response.status_code)
    assert response.json()["errors"][0]["field"] == name


# --- Import formats (API and the upload page) ------------------------------------------------------

LINES = {
    "native": lambda f: '{"id": ' + f + ', "text": "A text."}',
    "native-meta": lambda f: '{"id": "n1", "text": "A text.", "meta": {"source": ' + f + "}}",
    "native-title": lambda f: '{"id": "n1", "text": "A text.", "title": ' + f + "}",
    "doccano": lambda f: '{"id": 1, "text": "A text.", "label": [[0, 1, ' + f + "]]}",
    "labelstudio": lambda f: '[{"id": 1, "data": {"text": ' + f + '}, "annotations": []}]',
}
FORMAT_OF = {"native-meta": "native", "native-title": "native"}


@settings(
    max_examples=EXAMPLES * 2, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(
    kind=st.sampled_from(sorted(LINES)),
    fragment=st.one_of(bad_strings, deep, huge_numbers),
    partial=st.booleans(),
    surface=st.sampled_from(["api", "page"]),
)
def test_hostile_records_in_every_import_format_are_refused_and_write_nothing(
    client, api, world, kind, fragment, partial, surface
):
    content = LINES[kind](fragment).encode("utf-8", "surrogatepass")
    fmt = FORMAT_OF.get(kind, kind)
    name = "in.json" if fmt == "labelstudio" else "in.jsonl"
    data = {"file": SimpleUploadedFile(name, content), "format": fmt}
    if partial:
        data["partial"] = "true"
    before = counts()
    if surface == "api":
        response = api(world.manager).post(
            f"/api/v1/projects/{world.project.slug}/imports/", data, format="multipart"
        )
    else:
        client.force_login(world.manager)
        response = client.post(f"/projects/{world.project.slug}/import/", data)
    if partial and response.status_code == 200:
        # The good records only, as asked: here there are none, and the report says why.
        assert response.json()["errors"] and not response.json()["written"]
    else:
        assert 400 <= response.status_code < 500, (
            kind,
            response.status_code,
            response.content[:300],
        )
    assert counts() == before


@settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(
    raw=st.one_of(
        st.builds(
            lambda a, b: (a + "\x00" + b).encode(),
            st.text(ordinary, max_size=8),
            st.text(ordinary, max_size=8),
        ),
        st.binary(min_size=1, max_size=20).filter(lambda b: not _utf8(b)),
    ),
    fmt=st.sampled_from(["text", "csv"]),
)
def test_hostile_bytes_in_text_and_csv_imports_are_refused(api, world, raw, fmt):
    content = (b"text\n" + raw) if fmt == "csv" else raw
    before = counts()
    response = api(world.manager).post(
        f"/api/v1/projects/{world.project.slug}/imports/",
        {"file": SimpleUploadedFile(f"in.{fmt}", content), "format": fmt},
        format="multipart",
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert counts() == before


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- Forms --------------------------------------------------------------------------------------


@settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(
    username=st.one_of(
        st.builds(lambda a, s: a + s, st.text(ordinary, max_size=5), surrogates),
        st.builds(
            lambda a, b: a + "\x00" + b,
            st.text(ordinary, max_size=5),
            st.text(ordinary, max_size=5),
        ),
    ),
    article=st.sampled_from(["", "x", "1" * 30, "-1", "\x00"]),
)
def test_the_assign_form_never_fails_on_what_it_is_sent(client, world, username, article):
    client.force_login(world.manager)
    before = counts()
    form = {"username": username, "article": article or str(world.gold_article.pk)}
    body = "&".join(f"{k}={_percent(v)}" for k, v in form.items())
    response = client.post(
        f"/projects/{world.project.slug}/assign/",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 400), response.status_code
    assert counts() == before


def _percent(value: str) -> str:
    from urllib.parse import quote

    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(q=st.one_of(bad_strings.map(json.loads), st.text(max_size=50)))
def test_the_project_page_search_never_fails(client, world, q):
    client.force_login(world.annotator)
    response = client.get(f"/projects/{world.project.slug}/?q={_percent(q)}")
    assert response.status_code == 200


def test_a_nul_in_a_member_name_in_the_url_is_a_4xx_not_a_500(api, world):
    response = api(world.manager).delete(f"/api/v1/projects/{world.project.slug}/members/a%00b/")
    assert response.status_code in (400, 404)
    assert response.json()["errors"][0]["message"]
