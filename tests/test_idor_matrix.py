"""Every endpoint against every kind of intruder (DESIGN §4, issue 7's IDOR matrix).

The routes are discovered from the URL configuration, so a new endpoint fails
``test_every_route_is_classified`` until someone decides who may use it. Each route is called with
the ids of objects that belong to the desk project and to ben's (another annotator's) work:

- an **outsider** (member of another project only) gets 404 for everything object-scoped: the
  objects' existence is not revealed;
- an **annotator** (ana) gets nothing of ben's work in this blind project and no staff action;
- a **reviewer** reads everything but cannot write into an annotator's layer or manage the project.

No call may answer 5xx, and no answer to ana may contain the text only ben marked.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from labels.jobs import runs
from labels.models import Annotation, HistoryEvent, Speaker
from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = pytest.mark.django_db

# An attribute value only ben wrote (his Stance's target); it must never reach ana.
BENS_SECRET = "zz-bens-private-target"

# Routes that are not about one project's objects (lists of *my* things, log-in, docs).
NOT_OBJECT_SCOPED = {
    "api-projects",
    "api-token",
    "api-schema",
    "api-docs",
    "home",
    "login",
    "logout",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    # Staff only, no object of any project (tests/pages/test_new_project.py).
    "project_new",
    "help",
    "help_page",
    "help_screenshot",
}

# What an annotator may do in a project they belong to. Everything else must be 403 or 404.
# (name, method) → allowed statuses.
ANNOTATOR_ALLOWED = {
    ("api-project", "GET"): {200},
    ("api-members", "GET"): {200},
    ("api-articles", "GET"): {200},
    ("api-article", "GET"): {200},
    ("api-article-annotations", "GET"): {200},
    ("api-next", "POST"): {200, 204},
    ("api-my-annotation", "GET"): {200, 404},
    ("api-my-annotation", "POST"): {200},
    ("api-suggestions", "GET"): {200, 404},
    ("api-project-jobs", "GET"): {200},
    ("project", "GET"): {200},
    ("next_article", "POST"): {302},
    ("annotate", "GET"): {200},
    # Taking a seat (staff: "Annotate it myself"): the workspace, or 409 when none is free.
    ("annotate", "POST"): {302, 409},
    # Any member records having read the guidelines (the matrix's JSON body has no form field).
    ("guidelines_seen", "POST"): {204, 400},
    # The speaker registry: every member reads it and adds a speaker (the body names one).
    ("api-speakers", "GET"): {200},
    ("api-speakers", "POST"): {201, 400},
    ("api-speaker", "GET"): {200},
    ("api-speakers-export", "GET"): {200},
}

# A reviewer additionally reads everything and adjudicates; never writes an annotator's layer.
REVIEWER_ALLOWED = ANNOTATOR_ALLOWED | {
    ("api-annotation", "GET"): {200},
    ("api-history", "GET"): {200},
    ("api-export", "GET"): {200},
    ("export_download", "GET"): {200},
    ("export_check", "GET"): {204},
    ("api-agreement", "GET"): {200},
    ("api-review", "GET"): {200},
    ("api-return", "POST"): {200, 409},
    ("api-history-restore", "POST"): {201, 400, 409},
    ("annotation_history_restore", "POST"): {302},
    ("annotation_history", "GET"): {200},
    ("review", "GET"): {200},
    ("dashboard", "GET"): {200},
    ("refresh_agreement", "POST"): {200, 302},
    # Jobs: staff start exports (the matrix's body has unknown parameters: 400) and recomputes;
    # the world's job is the manager's, which a reviewer does not see (404, as for an outsider).
    ("api-export-jobs", "POST"): {202, 400},
    ("api-agreement-recompute", "POST"): {202},
    **{
        (f"api-review-{name}", "POST"): {200, 201, 400, 409}
        for name in (
            "accept",
            "reject",
            "accept-relation",
            "reject-relation",
            "accept-agreed",
            "mark-reviewed",
            "spans",
            "relations",
        )
    },
    ("api-review-span", "PATCH"): {200, 400, 409},
    ("api-review-span", "DELETE"): {200, 400, 409},
    ("api-review-relation", "PATCH"): {200, 400, 409},
    ("api-review-relation", "DELETE"): {200, 400, 409},
    # Staff edit the registry: the world's speaker is linked to ben's Source, so it is not
    # deleted (400); the body names no second speaker to merge into (400), no file (400), and
    # the world's event id is no merge of the registry (404, as for anything not there); the import takes a file upload,
    # not JSON (415).
    ("api-speaker", "PATCH"): {200, 400},
    ("api-speaker", "DELETE"): {400},
    ("api-speaker-quotes", "GET"): {200},
    # Speakers suggested for a layer's Sources: whoever may read the layer (not ana: ben's).
    ("api-layer-speaker-guesses", "GET"): {200},
    ("api-speakers-merge", "POST"): {400, 404},
    ("api-speakers-history", "GET"): {200},
    ("api-speakers-undo", "POST"): {404},
    ("api-speakers-import", "POST"): {400, 415},
    ("speakers", "GET"): {200},
    ("speaker_add", "POST"): {302},
    ("speaker_edit", "POST"): {302},
    ("speaker_delete", "POST"): {302},
    ("speaker_merge", "POST"): {302},
    ("speaker_undo", "POST"): {302, 404},
    ("speaker_export", "GET"): {200},
    ("speaker_import", "POST"): {302},
}


def _routes():
    """(name, pattern with <params>, view callable) of every named route."""
    found = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((entry.name, prefix + str(entry.pattern), entry.callback))

    walk(get_resolver().url_patterns)
    return [r for r in found if not r[1].startswith("admin/")]


def _methods(callback) -> list[str]:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return [
            m.upper() for m in ("get", "post", "patch", "put", "delete") if hasattr(view_class, m)
        ]
    allowed = getattr(callback, "allowed_methods", None)
    if allowed:
        return [m for m in ("GET", "POST", "PATCH", "PUT", "DELETE") if m in allowed]
    return ["GET", "POST"]


@pytest.fixture
def world(project, make_article, annotator, annotator2, reviewer, manager):
    project.blind = True
    project.save()
    article = make_article(project, TEXT, title="Talks")
    bens = submit_layer(
        article,
        annotator2,
        [
            span_data("Quote", "the talks would go on", quote_type="indirect"),
            span_data("Source", "Macron"),
            span_data("Stance", "Putin disagreed", polarity="against", target=BENS_SECRET),
        ],
        [("attributed_to", 0, 1)],
        submit=False,
    )
    span = bens.created_spans[2]
    relation = bens.relations.get()
    event = HistoryEvent.objects.filter(annotation=bens).order_by("id").first()
    speaker = Speaker.objects.create(project=project, name="Emmanuel Macron")
    bens.spans.filter(label="Source").update(attrs={"speaker": speaker.pk})
    return {
        "slug": project.slug,
        "article_id": article.pk,
        "annotation_id": bens.pk,
        "span_id": span.pk,
        "relation_id": relation.pk,
        "event_id": event.pk,
        "speaker_id": speaker.pk,
        "username": annotator2.username,
        "job_id": runs.do_start_export(project, manager, {}).pk,
        "uidb64": "x",
        "token": "x",
        "route": "x",
    }


def _url(pattern: str, ids: dict) -> str:
    def fill(match):
        return str(ids[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, pattern)


def _body(ids: dict) -> str:
    start = TEXT.index("Macron")
    return json.dumps(
        {
            "version": 1,
            "start": start,
            "end": start + 6,
            "text": "Macron",
            "label": "Source",
            "attrs": {},
            "from": ids["span_id"],
            "to": ids["span_id"],
            "reason": "no",
            "comment": "no",
            "username": "ana",
            "role": "annotator",
            "key": f"Source:{start}:{start + 6}",
            "span": ids["span_id"],
            "relation": ids["relation_id"],
            "name": "Renamed",
        }
    )


def _call(client, method: str, url: str, ids: dict):
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, _body(ids), content_type="application/json")


def _refusal(name: str) -> set[int]:
    """What a member gets for a route their role does not allow: the manager's pages say 403
    (the member knows the project; issue 14), other routes may also hide the object (404)."""
    return {403} if name.startswith("settings_") or name == "import_upload" else {403, 404}


def _object_scoped_routes():
    return [r for r in _routes() if r[0] not in NOT_OBJECT_SCOPED]


def test_every_route_is_classified():
    names = {name for name, _, _ in _routes()}
    known = (
        NOT_OBJECT_SCOPED
        | {n for n, _ in REVIEWER_ALLOWED}
        | {
            # Staff-only or owner-only routes that no intruder in this matrix may use.
            "api-member",
            "api-imports",
            "api-export",
            "api-assign",
            "api-annotation",
            "api-spans",
            "api-spans-delete",
            "api-span",
            "api-relations",
            "api-relation",
            "api-submit",
            "api-skip",
            "api-history",
            "api-history-restore",
            "api-return",
            "api-agreement",
            "api-suggester-check",
            "api-suggestions-accept",
            "api-suggestions-accept-relation",
            "api-suggestions-accept-all",
            "api-suggestions-reject",
            "import_upload",
            "assign_article",
            "annotation_history",
            "annotation_history_restore",
            "review",
            "dashboard",
            "refresh_agreement",
            "api-job",
            "api-job-download",
            "job",
            "cancel_job",
            "settings_general",
            "settings_guidelines",
            "settings_guidelines_preview",
            "settings_members",
            "settings_members_invite",
            "settings_member_role",
            "settings_member_remove",
            "settings_suggestions",
            "settings_suggestions_check",
            "settings_suggestions_train",
            "settings_schema",
            "speaker_attribute_add",
        }
    )
    assert names - known == set(), "classify the new routes in this matrix"


def test_outsider_gets_404_for_every_object_of_another_project(
    client, world, other_project, outsider
):
    client.force_login(outsider)
    failures = []
    for name, pattern, callback in _object_scoped_routes():
        url = _url(pattern, world)
        for method in _methods(callback):
            response = _call(client, method, url, world)
            # 405: the route does not offer this method at all, which says nothing about objects.
            if response.status_code not in (404, 405):
                failures.append(f"{method} {url} ({name}) → {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "persona, allowed", [("annotator", ANNOTATOR_ALLOWED), ("reviewer", REVIEWER_ALLOWED)]
)
def test_members_get_what_their_role_allows_and_no_more(client, world, request, persona, allowed):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    failures = []
    for name, pattern, callback in _object_scoped_routes():
        url = _url(pattern, world)
        for method in _methods(callback):
            response = _call(client, method, url, world)
            status = response.status_code
            ok = allowed.get((name, method), _refusal(name)) | {405}
            if status not in ok:
                failures.append(f"{method} {url} ({name}) → {status}, expected one of {sorted(ok)}")
            if persona == "annotator" and BENS_SECRET.encode() in b"".join(
                getattr(response, "streaming_content", None) or [response.content]
            ):
                failures.append(f"{method} {url} ({name}) showed ben's work to ana")
    assert not failures, "\n".join(failures)
    # And nothing ana or the reviewer did changed ben's layer.
    bens = Annotation.objects.get(pk=world["annotation_id"])
    assert bens.version == 5 and bens.spans.count() == 3 and bens.relations.count() == 1
