"""The review API and pages: who may use them, bad input, version conflicts, query counts."""

from __future__ import annotations

import pytest

from labels.models import Annotation, AnnotationStatus, Provenance
from labels.review import decisions, state
from tests.support.api import errors_of
from tests.support.review_helpers import TEXT, at, span_data, submit_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(project, make_article):
    return make_article(project, TEXT, title="Talks")


@pytest.fixture
def layers(article, annotator, annotator2):
    quote = span_data("Quote", "the talks would go on", quote_type="indirect")
    source = span_data("Source", "Macron")
    return (
        submit_layer(
            article, annotator, [quote, source, span_data("Cue", "said")], [("attributed_to", 0, 1)]
        ),
        submit_layer(article, annotator2, [quote, source], [("attributed_to", 0, 1)]),
    )


def url(article, path=""):
    return f"/api/v1/articles/{article.pk}/review/{path}"


def candidate(body, label):
    return next(c for c in body["candidates"] if c["label"] == label)


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "manager"])
def test_staff_read_the_review(api, article, layers, request, who):
    response = api(request.getfixturevalue(who)).get(url(article))
    assert response.status_code == 200
    body = response.json()
    assert body["submitted"] == 2 and body["ready"] is True and body["version"] == 1
    assert body["article"]["text"] == TEXT
    assert [layer["annotator"] for layer in body["layers"]] == ["ana", "ben"]
    quote = candidate(body, "Quote")
    assert quote["agreement"] == "unanimous" and quote["status"] == "open"
    assert quote["versions"][0]["annotators"] == ["ana", "ben"]
    assert candidate(body, "Cue")["annotators"] == ["ana"]
    assert body["relation_candidates"][0]["agreement"] == "unanimous"


def test_review_before_every_annotation_is_submitted_says_so(
    api, article, annotator, annotator2, reviewer
):
    submit_layer(article, annotator, [span_data("Cue", "said")])
    submit_layer(article, annotator2, [span_data("Cue", "said")], submit=False)
    body = api(reviewer).get(url(article)).json()
    assert (body["submitted"], body["ready"]) == (1, False)
    assert [(layer["annotator"], layer["status"], layer["spans"]) for layer in body["layers"]] == [
        ("ana", "submitted", 1),
        ("ben", "draft", None),
    ]
    # ben's draft takes no part: the Cue is ana's alone.
    (cue,) = body["candidates"]
    assert cue["annotators"] == ["ana"] and cue["agreement"] == "minority"


REVIEW_WRITES = [
    ("post", "accept/", {"span": 1, "version": 1}),
    ("post", "reject/", {"span": 1, "version": 1}),
    ("post", "relations/accept/", {"relation": 1, "version": 1}),
    ("post", "relations/reject/", {"relation": 1, "version": 1}),
    ("post", "accept-agreed/", {"version": 1}),
    ("post", "mark-reviewed/", {"version": 1}),
    ("post", "spans/", {"version": 1}),
    ("patch", "spans/1/", {"version": 1}),
    ("delete", "spans/1/", {"version": 1}),
    ("post", "relations/", {"version": 1}),
    ("delete", "relations/1/", {"version": 1}),
]


@pytest.mark.parametrize("method,path,data", [("get", "", None), *REVIEW_WRITES])
def test_annotators_get_403_and_outsiders_404(
    api, article, layers, annotator, outsider, other_project, method, path, data
):
    for user, code in ((annotator, 403), (outsider, 404)):
        response = getattr(api(user), method)(url(article, path), data, format="json")
        assert response.status_code == code, (user, response.content)
    assert not Annotation.objects.filter(article=article, is_gold=True).exists()


def test_pages_for_staff_only(
    client, article, layers, reviewer, manager, annotator, outsider, other_project, project
):
    for user, code in ((reviewer, 200), (manager, 200), (annotator, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(f"/articles/{article.pk}/review/").status_code == code, user
        assert client.get(f"/projects/{project.slug}/dashboard/").status_code == code, user
        assert client.post(f"/projects/{project.slug}/dashboard/agreement/").status_code in (
            (302,) if code == 200 else (code,)
        )
        assert api_get(user, f"/api/v1/projects/{project.slug}/agreement/") == code


def api_get(user, path):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client.get(path).status_code


def test_review_page_carries_its_config_and_one_module(client, article, reviewer):
    client.force_login(reviewer)
    html = client.get(f"/articles/{article.pk}/review/").content.decode()
    assert 'id="review-config"' in html
    assert html.count('<script type="module"') == 1
    assert "style=" not in html and "onclick" not in html


# --- writes -------------------------------------------------------------------------------------


def test_accept_then_edit_boundary_then_reject(api, article, layers, reviewer):
    client = api(reviewer)
    body = client.get(url(article)).json()
    quote = candidate(body, "Quote")
    response = client.post(
        url(article, "accept/"), {"span": quote["versions"][0]["spans"][0], "version": 1}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 2 and body["gold"]["reviewer"] == "rita"
    (gold_span,) = body["gold"]["spans"]
    assert (gold_span["provenance"], gold_span["agreed_by"]) == ("unanimous", ["ana", "ben"])
    assert gold_span["candidate"] == quote["key"]

    start, end = at("talks would go on")
    response = client.patch(
        url(article, f"spans/{gold_span['id']}/"),
        {"start": start, "end": end, "text": "talks would go on", "version": 2},
    )
    assert response.status_code == 200, response.json()
    (gold_span,) = response.json()["gold"]["spans"]
    assert (gold_span["start"], gold_span["provenance"]) == (start, "adjudicated")

    cue = candidate(response.json(), "Cue")
    response = client.post(
        url(article, "reject/"), {"span": cue["versions"][0]["spans"][0], "version": 3}
    )
    assert response.status_code == 200
    assert candidate(response.json(), "Cue")["status"] == "rejected"
    assert response.json()["counts"] == {
        "open": 1,
        "accepted": 1,
        "rejected": 1,
        "disputed": 1,
        "by_agreement": {"all_agree": 2, "majority": 0, "disputed": 0, "one_annotator": 1},
        "open_relations": 1,
    }


def test_stale_version_answers_409_with_the_current_one(api, article, layers, reviewer):
    client = api(reviewer)
    quote = candidate(client.get(url(article)).json(), "Quote")
    span_id = quote["versions"][0]["spans"][0]
    assert client.post(url(article, "accept/"), {"span": span_id, "version": 1}).status_code == 200
    response = client.post(url(article, "reject/"), {"span": span_id, "version": 1})
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert errors_of(response) == {("version", "stale_version")}


@pytest.mark.parametrize(
    "path,data,expected",
    [
        ("accept/", {"version": 1}, ("span", "required")),
        ("accept/", {"span": "x", "version": 1}, ("span", "invalid")),
        ("accept/", {"span": 10**9, "version": 1}, ("span", "not_found")),
        ("accept/", {"span": 1}, ("version", "required")),
        ("accept/", {"span": 1, "version": 1, "start": 3}, ("text", "invalid")),
        ("relations/accept/", {"relation": 10**9, "version": 1}, ("relation", "not_found")),
        (
            "spans/",
            {"version": 1, "start": 0, "end": 500, "text": "x", "label": "Quote"},
            ("end", "out_of_range"),
        ),
        (
            "spans/",
            {"version": 1, "start": 0, "end": 6, "text": "Macron", "label": "Nope"},
            ("label", "unknown_label"),
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, article, layers, reviewer, path, data, expected):
    response = api(reviewer).post(url(article, path), data, format="json")
    assert response.status_code == 400, response.content
    assert errors_of(response) == {expected}


def test_editing_a_span_that_is_not_in_gold_is_a_400(api, article, layers, reviewer):
    response = api(reviewer).patch(url(article, "spans/999999999/"), {"version": 1})
    assert response.status_code == 400
    assert errors_of(response) == {("span", "not_found")}


def test_annotator_span_of_another_article_is_not_found(
    api, article, layers, reviewer, make_article, project
):
    other = make_article(project, TEXT, external_id="other")
    response = api(reviewer).post(
        url(other, "accept/"), {"span": layers[0].created_spans[0].pk, "version": 1}
    )
    assert response.status_code == 400
    assert errors_of(response) == {("span", "not_found")}


def test_accept_agreed_and_mark_reviewed(api, article, layers, reviewer):
    client = api(reviewer)
    response = client.post(url(article, "accept-agreed/"), {"version": 1})
    body = response.json()
    assert sorted(s["label"] for s in body["gold"]["spans"]) == ["Quote", "Source"]
    assert len(body["gold"]["relations"]) == 1
    response = client.post(url(article, "mark-reviewed/"), {"version": body["version"]})
    assert response.status_code == 400
    assert errors_of(response) == {("candidates", "undecided")}
    cue = candidate(body, "Cue")
    body = client.post(
        url(article, "reject/"),
        {"span": cue["versions"][0]["spans"][0], "version": body["version"]},
    ).json()
    response = client.post(url(article, "mark-reviewed/"), {"version": body["version"]})
    assert response.status_code == 200
    assert response.json()["gold"]["status"] == "reviewed"


def test_reviewer_adds_and_links_gold_spans(api, article, layers, reviewer):
    client = api(reviewer)
    data = span_data("Source", "the Kremlin", source_type="government")
    response = client.post(url(article, "spans/"), {**data, "version": 1}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    (added,) = body["gold"]["spans"]
    assert (added["provenance"], added["candidate"]) == ("reviewer", None)
    data = span_data("Cue", "said on Monday")  # overlaps ana's "said" too little: IoU 4/14
    body = client.post(url(article, "spans/"), {**data, "version": 2}, format="json").json()
    cue = next(s for s in body["gold"]["spans"] if s["label"] == "Cue")
    response = client.post(
        url(article, "relations/"),
        {"label": "attributed_to", "from": cue["id"], "to": added["id"], "version": 3},
        format="json",
    )
    assert response.status_code == 400  # a Cue cannot be attributed
    assert errors_of(response) == {("from", "pair_not_allowed")}
    response = client.post(
        url(article, "relations/"),
        {"label": "relayed_by", "from": cue["id"] + 10**6, "to": added["id"], "version": 3},
        format="json",
    )
    assert errors_of(response) == {("from", "not_found")}
    body = client.post(
        url(article, "spans/"),
        {**span_data("Quote", "the talks would go on", quote_type="direct"), "version": 3},
        format="json",
    ).json()
    quote = next(s for s in body["gold"]["spans"] if s["label"] == "Quote")
    assert (quote["provenance"], quote["candidate"]) == (
        "adjudicated",
        candidate(body, "Quote")["key"],
    )
    response = client.post(
        url(article, "relations/"),
        {"label": "attributed_to", "from": quote["id"], "to": added["id"], "version": 4},
        format="json",
    )
    assert response.status_code == 201
    assert [(r["from"], r["to"]) for r in response.json()["gold"]["relations"]] == [
        (quote["id"], added["id"])
    ]
    # Its cue is set afterwards, on the gold relation; a Source is no cue.
    (relation,) = response.json()["gold"]["relations"]
    path = url(article, f"relations/{relation['id']}/")
    response = client.patch(path, {"attrs": {"cue": added["id"]}, "version": 5}, format="json")
    assert errors_of(response) == {("attrs.cue", "invalid_label")}
    response = client.patch(path, {"attrs": {"cue": cue["id"]}, "version": 5}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["gold"]["relations"][0]["attrs"] == {"cue": cue["id"]}
    assert response.json()["version"] == 6


def test_only_staff_change_a_gold_relation(api, article, layers, reviewer, annotator, outsider):
    client = api(reviewer)
    spans = {}
    for version, (label, text, attrs) in enumerate(
        [
            ("Source", "the Kremlin", {"source_type": "government"}),
            ("Quote", "the talks would go on", {"quote_type": "direct"}),
        ],
        start=1,
    ):
        body = client.post(
            url(article, "spans/"),
            {**span_data(label, text, **attrs), "version": version},
            format="json",
        ).json()
        spans[label] = next(s for s in body["gold"]["spans"] if s["label"] == label)["id"]
    body = client.post(
        url(article, "relations/"),
        {"label": "attributed_to", "from": spans["Quote"], "to": spans["Source"], "version": 3},
        format="json",
    ).json()
    path = url(article, f"relations/{body['gold']['relations'][0]['id']}/")
    change = {"attrs": {}, "version": 4}
    assert api(annotator).patch(path, change, format="json").status_code == 403
    assert api(outsider).patch(path, change, format="json").status_code == 404


def test_return_endpoint(
    api, article, layers, reviewer, annotator, annotator2, outsider, other_project
):
    ana, ben = layers
    path = f"/api/v1/annotations/{ana.pk}/return/"
    assert api(outsider).post(path, {"comment": "x"}).status_code == 404
    assert api(annotator).post(path, {"comment": "x"}).status_code == 403  # their own work
    assert api(annotator2).post(path, {"comment": "x"}).status_code == 404  # blind project
    response = api(reviewer).post(path, {"comment": "", "version": ana.version})
    assert response.status_code == 400 and errors_of(response) == {("comment", "blank")}
    response = api(reviewer).post(path, {"comment": "Mark the cue as well.", "version": 1})
    assert response.status_code == 409
    # The version is required, like every write's: without it nothing changes.
    response = api(reviewer).post(path, {"comment": "Mark the cue as well."})
    assert response.status_code == 400 and errors_of(response) == {("version", "required")}
    ana.refresh_from_db()
    assert ana.status == AnnotationStatus.SUBMITTED
    response = api(reviewer).post(
        path, {"comment": "Mark the cue as well.", "version": ana.version}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["submitted"] == 1
    layer = next(layer for layer in body["layers"] if layer["annotator"] == "ana")
    assert (layer["status"], layer["review_comment"]) == ("draft", "Mark the cue as well.")
    ana.refresh_from_db()
    assert ana.status == AnnotationStatus.DRAFT


def test_annotator_sees_the_returned_work_in_their_queue(
    client, api, article, layers, reviewer, annotator, project
):
    api(reviewer).post(
        f"/api/v1/annotations/{layers[0].pk}/return/",
        {"comment": "Mark the <b>cue</b>.", "version": layers[0].version},
    )
    client.force_login(annotator)
    html = client.get(f"/projects/{project.slug}/").content.decode()
    assert "sent back" in html
    assert "Mark the &lt;b&gt;cue&lt;/b&gt;." in html


# --- query counts -------------------------------------------------------------------------------


def test_review_get_query_count(
    api, article, layers, reviewer, make_user, django_assert_num_queries
):
    carl = make_user("carl")
    submit_layer(article, carl, [span_data("Cue", "said")])
    gold = decisions.do_accept_agreed(article, reviewer, version=1).gold
    cue = next(c for c in state.load_review(article).candidates if c.label == "Cue")
    decisions.do_reject(article, reviewer, cue.span_ids[0], version=gold.version)
    client = api(reviewer)
    # 1 session, 2 user, 3 article + project, 4 membership, 5 annotations with their users,
    # 6 their spans, 7 their relations, 8 the gold layer's rejections — whatever the number of
    # layers, spans and candidates.
    with django_assert_num_queries(8):
        response = client.get(url(article))
    body = response.json()
    assert len(body["layers"]) == 3
    # carl marked only the Cue: two of three make a majority everywhere.
    assert sorted((s["label"], s["provenance"]) for s in body["gold"]["spans"]) == [
        ("Quote", "majority"),
        ("Source", "majority"),
    ]
    assert candidate(body, "Cue")["status"] == "rejected"


def test_provenance_reaches_the_native_gold_export(api, article, layers, reviewer, project):
    import json

    from labels.interop.exporting import prepare_export

    client = api(reviewer)
    body = client.post(url(article, "accept-agreed/"), {"version": 1}).json()
    cue = candidate(body, "Cue")
    body = client.post(
        url(article, "accept/"),
        {"span": cue["versions"][0]["spans"][0], "version": body["version"]},
    ).json()
    assert (
        client.post(url(article, "mark-reviewed/"), {"version": body["version"]}).status_code == 200
    )
    lines = b"".join(prepare_export(project, {"format": "native", "layer": "gold"})).splitlines()
    (record,) = [json.loads(line) for line in lines]
    assert record["layer"] == "gold" and record["annotation"]["reviewer"] == "rita"
    assert sorted((s["label"], s["provenance"]) for s in record["spans"]) == [
        ("Cue", Provenance.ADJUDICATED),
        ("Quote", Provenance.UNANIMOUS),
        ("Source", Provenance.UNANIMOUS),
    ]
