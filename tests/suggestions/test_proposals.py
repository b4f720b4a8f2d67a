"""Suggesters behind one interface: the HTTP model server (a real one on 127.0.0.1), its checks
and its address guard, imported suggestion sets, the built-in cache, and how suggestions_for
combines them for one annotation."""

from __future__ import annotations

import time

import pytest

from labels.annotation import queue, spans
from labels.errors import Invalid
from labels.models import RejectedSuggestion, Suggesters, SuggestionSet
from labels.schema import default_schema
from labels.suggestions import actions, combine, proposals
from labels.suggestions import http as http_mod
from labels.suggestions.rules import engine
from tests.support.suggester_server import span

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fresh_suggester_caches", "suggester_settings"),
]

TEXT = "The Kremlin said “we are ready to talk” on Monday."
# What the built-in rules propose on TEXT (tests/suggestions/rules/test_engine.py tests the rules
# themselves).
BUILTIN_KEYS = {"Source:0:11", "Cue:12:16", "Quote:18:38"}


@pytest.fixture
def article(project, make_article):
    return make_article(project, TEXT, external_id="kremlin-1", meta={"source": "AFP"})


@pytest.fixture
def annotation(article, annotator):
    return queue.do_get_or_create_own(article, annotator)


def use_http(project, url, mode=Suggesters.BOTH):
    project.suggester_url = url
    project.suggesters = mode
    project.save()


def call(server_url, text=TEXT, schema=None):
    return http_mod.HttpSuggester(server_url, 0.3).call("a-1", text, {}, schema or default_schema())


def codes(problems):
    return [p["code"] for p in problems]


# --- The HTTP contract -------------------------------------------------------------------------


def test_http_suggester_posts_article_and_schema_once(
    project, article, annotation, suggester_server
):
    use_http(project, suggester_server.url)
    combine.suggestions_for(article, annotation)
    (request,) = suggester_server.requests
    assert request["path"] == "/suggest"
    assert request["content_type"].startswith("application/json")
    assert request["json"] == {
        "article": {"id": "kremlin-1", "text": TEXT, "meta": {"source": "AFP"}},
        "schema": project.schema,
    }


def test_good_answer_becomes_http_suggestions_with_relations_by_key(suggester_server):
    suggester_server.answer(
        {
            "spans": [
                span(TEXT, "ready to talk", "Claim", id="c1", confidence=0.6, rule="claims-v2"),
                span(TEXT, "The Kremlin", "Source", id=7, attrs={"source_type": "government"}),
            ],
            "relations": [{"label": "attributed_to", "from": "c1", "to": 7, "attrs": {}}],
        }
    )
    result = call(suggester_server.url)
    assert result.status == 200 and result.proposals.problems == []
    claim, source = result.proposals.spans
    assert claim == {
        "key": "Claim:25:38",
        "label": "Claim",
        "start": 25,
        "end": 38,
        "text": "ready to talk",
        "attrs": {},
        "confidence": 0.6,
        "rule": "claims-v2",
        "source": "http",
    }
    assert (source["rule"], source["confidence"]) == ("http", None)
    assert result.proposals.relations == [
        {
            "label": "attributed_to",
            "from": "Claim:25:38",
            "to": "Source:0:11",
            "attrs": {},
            "confidence": None,
            "rule": "http",
            "source": "http",
        }
    ]


def test_invalid_offsets_are_dropped_and_reported(suggester_server):
    emoji_text = "👍 The Kremlin said so."
    start = emoji_text.index("Kremlin")
    suggester_server.answer(
        {
            "spans": [
                # UTF-16 offsets (the emoji counts twice): the text no longer matches.
                {"label": "Source", "start": start + 1, "end": start + 8, "text": "Kremlin"},
                {"label": "Cue", "start": 10, "end": 999, "text": "said"},
                {"label": "Cue", "start": 5, "end": 5, "text": ""},
                {"label": "Cue", "start": 14, "end": 18},  # no text to check against
                span(emoji_text, "Kremlin", "Source", id="ok"),
            ],
            "relations": [{"label": "attributed_to", "from": "missing", "to": "ok"}],
        }
    )
    result = call(suggester_server.url, emoji_text)
    assert [s["key"] for s in result.proposals.spans] == [f"Source:{start}:{start + 7}"]
    messages = [p["message"] for p in result.proposals.problems]
    assert codes(result.proposals.problems) == ["invalid_item"] * 5
    assert "spans[0]" in messages[0] and "does not match the article" in messages[0]
    assert "spans[1]" in messages[1] and "end must be between 0 and" in messages[1]
    assert "spans[3]" in messages[3] and "needs its text" in messages[3]
    assert "relations[0]" in messages[4]


def test_a_label_not_in_the_schema_is_dropped_and_reported(suggester_server):
    suggester_server.answer(
        {
            "spans": [
                span(TEXT, "The Kremlin", "Person"),
                span(TEXT, "said", "Cue", attrs={"tense": "past"}),
                span(TEXT, "we are ready to talk", "Quote", attrs={"quote_type": "shouted"}),
                span(TEXT, "said", "Cue", confidence=1.5),
                span(TEXT, "said", "Cue", confidence=0.9),
            ]
        }
    )
    result = call(suggester_server.url)
    assert [s["key"] for s in result.proposals.spans] == ["Cue:12:16"]
    messages = " | ".join(p["message"] for p in result.proposals.problems)
    assert "“Person” is not a span label of this project" in messages
    assert "no attribute “tense”" in messages
    assert "“shouted” is not a choice for quote_type" in messages
    assert "confidence must be from 0 to 1" in messages


def test_missing_required_attributes_are_allowed_in_suggestions(suggester_server):
    suggester_server.answer({"spans": [span(TEXT, "we are ready to talk", "Quote")]})
    (quote,) = call(suggester_server.url).proposals.spans
    assert quote["attrs"] == {}


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (b"<html>Bad gateway</html>", 200, "not_json"),
        (b"\xff\xfe not utf-8", 200, "not_json"),
        (b"[" * 100_000, 200, "not_json"),
        ({"error": "boom"}, 500, "bad_status"),
        ([1, 2, 3], 200, "invalid_answer"),
        ({"spans": {"not": "a list"}}, 200, "invalid_answer"),
    ],
)
def test_unusable_answers_become_one_problem(suggester_server, answer, status, code):
    suggester_server.answer(answer, status=status)
    result = call(suggester_server.url)
    assert result.proposals.spans == []
    assert codes(result.proposals.problems) == [code]


def test_a_slow_server_is_given_up_after_the_timeout(suggester_server):
    suggester_server.delay = 2.0
    started = time.monotonic()
    result = call(suggester_server.url)
    assert time.monotonic() - started < 1.0
    assert result.proposals.problems == [
        {
            "source": "http",
            "code": "timeout",
            "message": "The suggester did not answer within 300 ms.",
        }
    ]


def test_a_closed_port_is_reported(suggester_server):
    url = suggester_server.url
    suggester_server.httpd.shutdown()
    suggester_server.httpd.server_close()
    [problem] = call(url).proposals.problems
    assert problem["code"] == "unreachable"
    # A plain reason, not the socket's words: no errno, no address, no port (a scanner's oracle).
    assert "no connection could be made" in problem["message"]
    port = url.rsplit(":", 1)[1].split("/")[0]
    for leak in ("Errno", "refused", "127.0.0.1", port):
        assert leak not in problem["message"]


def test_redirects_are_not_followed(suggester_server):
    suggester_server.answer(b"", status=302, headers={"Location": "http://169.254.169.254/"})
    result = call(suggester_server.url)
    assert codes(result.proposals.problems) == ["bad_status"]
    assert "redirects are not followed" in result.proposals.problems[0]["message"]
    assert len(suggester_server.requests) == 1


def test_an_answer_over_the_size_limit_is_refused(suggester_server, monkeypatch):
    monkeypatch.setattr(http_mod, "MAX_RESPONSE_BYTES", 1000)
    suggester_server.answer({"spans": [], "padding": "x" * 5000})
    assert codes(call(suggester_server.url).proposals.problems) == ["too_large"]


def test_item_problems_are_reported_five_then_counted(suggester_server):
    suggester_server.answer({"spans": [span(TEXT, "said", "Nope")] * 8})
    problems = call(suggester_server.url).proposals.problems
    assert len(problems) == 6
    assert problems[-1]["message"] == "… and 3 more items dropped."


# --- The address guard -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fe80::1]:8080/",
        "http://100.100.100.200/",
        "http://0.0.0.0:9000/",
        "http://224.0.0.1/",
        "http://[2002:a9fe:a9fe::1]/",  # 6to4 wrapping 169.254.169.254
    ],
)
def test_metadata_and_link_local_addresses_are_refused(url):
    with pytest.raises(Invalid) as caught:
        http_mod.check_suggester_url(url)
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("suggester_url", "refused_address")
    ]
    # Also at call time, whatever the stored URL says, and without connecting anywhere.
    started = time.monotonic()
    result = http_mod.HttpSuggester(url, 5).call("a", TEXT, {}, default_schema())
    assert codes(result.proposals.problems) == ["refused_address"]
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://models.example/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "http://user:secret@models.example/",
        "http:///no-host",
        "http://models.example:99999/",
        "https://" + "a" * 200 + ".example/",
    ],
)
def test_other_bad_urls_are_refused(url):
    with pytest.raises(Invalid) as caught:
        http_mod.check_suggester_url(url)
    assert caught.value.problems[0].field == "suggester_url"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/suggest",
        "https://models.internal/v1?x=1",  # a name: checked when it is resolved
        "http://93.184.216.34/suggest",
        "http://[2606:4700::1111]:8443/",
    ],
)
def test_allowed_loopback_public_and_named_hosts_pass(url):
    assert http_mod.check_suggester_url(f"  {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/",
        "http://10.0.0.5/",
        "http://[::1]/",
        "http://192.168.1.9/",
        "http://[2002:7f00:1::1]/",  # 6to4 wrapping 127.0.0.1
        "http://[fec0::1]/",  # site-local, which Python's ipaddress calls global
    ],
)
def test_loopback_and_private_addresses_need_the_administrator(settings, url):
    settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS = []
    with pytest.raises(Invalid) as caught:
        http_mod.check_suggester_url(url)
    assert "ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS" in caught.value.problems[0].message
    result = http_mod.HttpSuggester(url, 5).call("a", TEXT, {}, default_schema())
    assert codes(result.proposals.problems) == ["refused_address"]
    settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS = [
        "10.0.0.0/8",
        "127.0.0.1",
        "::/0",
        "192.168.1.0/24",
    ]
    assert http_mod.check_suggester_url(url) == url


def test_allowing_a_network_never_allows_metadata_addresses(settings):
    settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS = ["0.0.0.0/0", "::/0"]
    with pytest.raises(Invalid):
        http_mod.check_suggester_url("http://169.254.169.254/")


def test_a_name_resolving_to_a_refused_address_is_refused_at_call_time(settings, suggester_server):
    settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS = []
    url = suggester_server.url.replace("127.0.0.1", "localhost")
    assert http_mod.check_suggester_url(url) == url  # a name passes the form...
    result = http_mod.HttpSuggester(url, 2).call("a", TEXT, {}, default_schema())
    assert codes(result.proposals.problems) == ["refused_address"]  # ...not the call
    assert suggester_server.requests == []


def test_localhost_by_name_reaches_the_server(suggester_server):
    suggester_server.answer({"spans": [span(TEXT, "said", "Cue")]})
    url = suggester_server.url.replace("127.0.0.1", "localhost")
    result = http_mod.HttpSuggester(url, 2).call("a", TEXT, {}, default_schema())
    # localhost may resolve to ::1 first where the server does not listen; either way the
    # address was allowed (a refusal would say so).
    assert "refused_address" not in codes(result.proposals.problems)


# --- Combining suggesters for one annotation ---------------------------------------------------


def keys(found):
    return {s["key"] for s in found["spans"]}


def test_both_combines_builtin_and_http_and_http_wins_a_shared_key(
    project, article, annotation, suggester_server
):
    suggester_server.answer(
        {
            "spans": [
                span(TEXT, "ready to talk", "Claim"),
                span(TEXT, "we are ready to talk", "Quote", attrs={"quote_type": "mixed"}),
            ]
        }
    )
    use_http(project, suggester_server.url, Suggesters.BOTH)
    found = combine.suggestions_for(article, annotation)
    assert keys(found) == BUILTIN_KEYS | {"Claim:25:38"}
    by_key = {s["key"]: s for s in found["spans"]}
    assert by_key["Quote:18:38"]["source"] == "http"
    assert by_key["Quote:18:38"]["attrs"] == {"quote_type": "mixed"}
    assert by_key["Cue:12:16"]["source"] == "builtin"
    assert [s["start"] for s in found["spans"]] == sorted(s["start"] for s in found["spans"])
    # The built-in relation still links the (now HTTP-proposed) quote by key.
    assert [(r["label"], r["from"], r["to"], r["attrs"]) for r in found["relations"]] == [
        ("attributed_to", "Quote:18:38", "Source:0:11", {"cue": "Cue:12:16"})
    ]
    assert found["problems"] == []


def test_http_only_replaces_the_builtin(project, article, annotation, suggester_server):
    suggester_server.answer({"spans": [span(TEXT, "ready to talk", "Claim")]})
    use_http(project, suggester_server.url, Suggesters.HTTP)
    assert keys(combine.suggestions_for(article, annotation)) == {"Claim:25:38"}


def test_builtin_only_never_calls_the_server(project, article, annotation, suggester_server):
    use_http(project, suggester_server.url, Suggesters.BUILTIN)
    assert keys(combine.suggestions_for(article, annotation)) == BUILTIN_KEYS
    assert suggester_server.requests == []


def test_none_leaves_only_imported_suggestions(project, article, annotation):
    project.suggesters = Suggesters.NONE
    project.save()
    assert keys(combine.suggestions_for(article, annotation)) == set()
    SuggestionSet.objects.create(
        article=article,
        source="import",
        spans=[{"id": "s1", **span(TEXT, "Monday", "Claim"), "attrs": {}}],
    )
    (item,) = combine.suggestions_for(article, annotation)["spans"]
    assert (item["key"], item["source"], item["rule"]) == ("Claim:43:49", "import", "import")


def test_imported_spans_the_schema_no_longer_allows_are_dropped(project, article, annotation):
    SuggestionSet.objects.create(
        article=article,
        source="import",
        spans=[{"id": "s1", **span(TEXT, "Monday", "Date"), "attrs": {}}],
    )
    found = combine.suggestions_for(article, annotation)
    assert keys(found) == BUILTIN_KEYS
    assert [(p["source"], p["code"]) for p in found["problems"]] == [("import", "invalid_item")]


def test_http_failure_keeps_the_builtin_suggestions(project, article, annotation, suggester_server):
    suggester_server.answer({"error": "down"}, status=503)
    use_http(project, suggester_server.url)
    found = combine.suggestions_for(article, annotation)
    assert keys(found) == BUILTIN_KEYS
    assert found["problems"] == [
        {"source": "http", "code": "bad_status", "message": "The suggester answered HTTP 503."}
    ]


def test_http_mode_without_url_is_a_problem_not_an_error(project, article, annotation):
    project.suggesters = Suggesters.HTTP
    project.save()
    found = combine.suggestions_for(article, annotation)
    assert found["spans"] == [] and codes(found["problems"]) == ["not_configured"]


def test_existing_spans_and_rejected_suggestions_are_left_out(
    project, article, annotation, annotator
):
    spans.do_add_span(
        annotation,
        annotator,
        {"label": "Cue", "start": 12, "end": 16, "text": "said"},
        version=annotation.version,
    )
    RejectedSuggestion.objects.create(annotation=annotation, label="Source", start=0, end=11)
    found = combine.suggestions_for(article, annotation)
    assert keys(found) == {"Quote:18:38"}
    # The relation needs the rejected Source: gone too.
    assert found["relations"] == []


def test_a_relation_to_an_existing_span_names_it(project, article, annotation, annotator):
    result = spans.do_add_span(
        annotation,
        annotator,
        {"label": "Source", "start": 0, "end": 11, "text": "The Kremlin", "attrs": {}},
        version=annotation.version,
    )
    (rel,) = combine.suggestions_for(article, annotation)["relations"]
    assert (rel["from"], rel["from_span"], rel["to"], rel["to_span"]) == (
        "Quote:18:38",
        None,
        "Source:0:11",
        result.obj.pk,
    )


def test_a_relation_the_annotation_holds_is_not_suggested(project, article, annotation, annotator):
    current = combine.suggestions_for(article, annotation)
    done = actions.do_accept_all(annotation, annotator, current, version=annotation.version)
    assert len(done.relations) == 1
    again = combine.suggestions_for(article, annotation)
    assert again == {"spans": [], "relations": [], "problems": []}


def test_builtin_results_are_cached_per_text(project, article, annotation, monkeypatch):
    calls = []
    real = engine.suggest

    def counting(text, schema):
        calls.append(text)
        return real(text, schema)

    monkeypatch.setattr(proposals, "suggest", counting)
    first = combine.suggestions_for(article, annotation)
    second = combine.suggestions_for(article, annotation)
    assert first == second and len(calls) == 1
    project.schema = {**project.schema, "id": "changed"}
    project.save()
    article.refresh_from_db()
    combine.suggestions_for(article, annotation)
    assert len(calls) == 2  # a different schema is a different entry


def test_http_answers_are_reused_failures_for_a_shorter_while(
    project, article, annotation, suggester_server, monkeypatch
):
    use_http(project, suggester_server.url)
    suggester_server.answer({"error": "down"}, status=500)
    first = combine.suggestions_for(article, annotation)
    suggester_server.answer({"spans": [span(TEXT, "ready to talk", "Claim")]})
    # Within HTTP_FAILURE_CACHE_SECONDS the failure stands: a dead server does not cost every
    # page load the whole timeout.
    assert combine.suggestions_for(article, annotation) == first
    assert len(suggester_server.requests) == 1
    monkeypatch.setattr(proposals._http_failures, "ttl", 0)
    found = combine.suggestions_for(article, annotation)
    assert "Claim:25:38" in keys(found) and found["problems"] == []
    suggester_server.answer({"error": "down again"}, status=500)
    assert combine.suggestions_for(article, annotation) == found  # good answers last longer
    assert len(suggester_server.requests) == 2


def test_a_url_stored_without_the_checks_is_still_refused_at_call_time():
    for url, code in (
        ("ftp://10.0.0.1/", "invalid"),
        ("http://169.254.169.254/", "refused_address"),
    ):
        result = http_mod.HttpSuggester(url, 1).call("a", TEXT, {}, default_schema())
        (problem,) = result.proposals.problems
        assert problem["code"] == code
        assert problem["message"].startswith("The suggester URL cannot be used: ")


def test_a_crashing_builtin_is_a_problem_not_an_error(project, article, annotation, monkeypatch):
    def broken(text, schema):
        raise RuntimeError("rule bug")

    monkeypatch.setattr(proposals, "suggest", broken)
    found = combine.suggestions_for(article, annotation)
    assert found["spans"] == []
    assert codes(found["problems"]) == ["error"]


# --- Keys --------------------------------------------------------------------------------------


def test_keys_round_trip_even_with_colons_in_labels():
    assert proposals.parse_key(proposals.suggestion_key("a:b", 3, 10)) == ("a:b", 3, 10)
    for bad in ("Quote", "Quote:1", "Quote:x:2", ":1:2", 12):
        with pytest.raises(Invalid):
            proposals.parse_key(bad)
