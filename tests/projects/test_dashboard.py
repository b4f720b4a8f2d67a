"""The project dashboard, the agreement loader and snapshot, and the agreement command."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labels.agreement import loader as loader_mod
from labels.agreement import snapshots
from labels.agreement.snapshots import fmt
from labels.models import Annotation, Job, Role
from labels.review import decisions
from labels.review import state as state_mod
from tests.support.review_helpers import TEXT, span_data, submit_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_articles(project, make_article, annotator, annotator2):
    """Two articles both annotators submitted: the first nearly alike, the second disputed."""
    first = make_article(project, TEXT, title="Talks")
    second = make_article(project, TEXT, title="Kremlin")
    quote = span_data("Quote", "the talks would go on", quote_type="indirect")
    submit_layer(
        first,
        annotator,
        [quote, span_data("Source", "Macron"), span_data("Cue", "said")],
        [("attributed_to", 0, 1)],
    )
    submit_layer(
        first, annotator2, [quote, span_data("Source", "Macron")], [("attributed_to", 0, 1)]
    )
    submit_layer(second, annotator, [span_data("Claim", "Putin disagreed")])
    submit_layer(
        second,
        annotator2,
        [span_data("Claim", "Putin disagreed, the Kremlin"), span_data("Source", "the Kremlin")],
    )
    return first, second


def dashboard(client, user, project):
    client.force_login(user)
    response = client.get(f"/projects/{project.slug}/dashboard/")
    assert response.status_code == 200
    return response


# --- loader ---------------------------------------------------------------------------------------


def test_loader_reads_submitted_layers_only(project, two_articles, make_article, make_user):
    carl = make_user("carl")
    submit_layer(two_articles[0], carl, [span_data("Cue", "said")], submit=False)
    third = make_article(project, TEXT)  # nobody submitted it
    submit_layer(third, carl, [span_data("Cue", "said")], submit=False)
    articles = list(loader_mod.iter_article_layers(project))
    assert [a.article_id for a in articles] == [str(two_articles[0].pk), str(two_articles[1].pk)]
    first = articles[0]
    assert first.text == TEXT
    assert [
        (layer.annotator, len(layer.spans), len(layer.relations)) for layer in first.layers
    ] == [
        ("ana", 3, 1),
        ("ben", 2, 1),
    ]
    quote = next(s for s in first.layers[0].spans if s.label == "Quote")
    assert quote.attrs == {"quote_type": "indirect"}
    (relation,) = first.layers[0].relations
    assert relation.source == quote.id


def test_loader_runs_a_constant_number_of_queries(project, make_article, annotator, annotator2):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(loader_mod.iter_article_layers(project))
        return len(captured)

    article = make_article(project, TEXT)
    submit_layer(article, annotator, [span_data("Cue", "said")])
    submit_layer(article, annotator2, [span_data("Cue", "said")])
    few = queries()
    for n in range(5):
        more = make_article(project, TEXT, external_id=f"more-{n}")
        submit_layer(more, annotator, [span_data("Cue", "said"), span_data("Source", "Macron")])
        submit_layer(more, annotator2, [span_data("Cue", "said")])
    # Layers, spans, relations and texts: one server-side cursor each.
    assert queries() == few == 4


# --- dashboard ------------------------------------------------------------------------------------


def test_dashboard_counts_states_annotators_and_labels(
    client, project, two_articles, make_article, reviewer, annotator, make_user
):
    make_article(project, TEXT, external_id="untouched")
    first, _ = two_articles
    # ana's work on the first article took 10 minutes, on the second 20: median 15.
    ana_layers = Annotation.objects.filter(annotator=annotator).order_by("article_id")
    for layer, minutes in zip(ana_layers, (10, 20), strict=True):
        Annotation.objects.filter(pk=layer.pk).update(
            created_at=layer.submitted_at - timedelta(minutes=minutes)
        )
    gold = decisions.do_accept_agreed(first, reviewer, version=1).gold
    cue = next(c for c in state_mod.load_review(first).candidates if c.label == "Cue")
    gold = decisions.do_reject(first, reviewer, cue.span_ids[0], version=gold.version)
    decisions.do_mark_reviewed(first, reviewer, version=gold.version)

    context = dashboard(client, reviewer, project).context
    assert context["counts"] == {"reviewed": 1, "submitted": 1, "in_progress": 0, "new": 1}
    rows = {row["username"]: row for row in context["annotators"]}
    assert (rows["ana"]["submitted"], rows["ana"]["skipped"], rows["ana"]["in_progress"]) == (
        2,
        0,
        0,
    )
    assert rows["ana"]["median"] == "15 min 00 s"
    assert {r["label"]: (r["submitted"], r["gold"]) for r in context["distribution"]} == {
        "Quote": (2, 1),
        "Source": (3, 1),
        "Cue": (1, 0),
        "Claim": (2, 0),
    }
    assert [row["what"] for row in context["activity"]][0] == "reviewed"
    assert context["activity"][0]["actor"] == "rita"


def test_annotators_without_work_are_listed(client, project, reviewer, make_user):
    from labels.projects.members import do_add_member

    do_add_member(project, make_user("dora"), Role.ANNOTATOR)
    context = dashboard(client, reviewer, project).context
    dora = next(row for row in context["annotators"] if row["username"] == "dora")
    assert (dora["submitted"], dora["median"]) == (0, "—")
    assert context["agreement"]["pairs"] == []


def test_lowest_agreement_lists_the_disputed_article_first_with_a_review_link(
    client, project, two_articles, reviewer
):
    first, second = two_articles
    response = dashboard(client, reviewer, project)
    lowest = response.context["lowest"]
    assert [row["article"].pk for row in lowest] == [second.pk, first.pk]
    html = response.content.decode()
    assert f'href="/articles/{second.pk}/review/"' in html


def cell(html: str, row_attr: str, metric: str) -> str:
    row = re.search(rf"<tr {re.escape(row_attr)}>(.*?)</tr>", html, re.S).group(1)
    return re.search(rf'data-metric="{metric}">([^<]*)<', row).group(1)


def test_dashboard_and_command_show_the_same_figures(client, project, two_articles, reviewer):
    out = StringIO()
    call_command("agreement", project=project.slug, json=True, stdout=out)
    figures = json.loads(out.getvalue())
    html = dashboard(client, reviewer, project).content.decode()
    assert set(figures["labels"]) == {"Quote", "Source", "Cue", "Claim", "Stance"}
    for label, values in figures["labels"].items():
        for metric in ("exact_f1", "overlap_f1", "alpha"):
            assert cell(html, f'data-label="{label}"', metric) == fmt(values[metric]), (
                label,
                metric,
            )
    (pair,) = figures["pairs"]
    assert pair == "ana|ben"
    for metric in ("exact_f1", "overlap_f1", "alpha", "relation_f1"):
        assert cell(html, 'data-pair="ana|ben"', metric) == fmt(figures["pairs"][pair][metric])
    # Hand-checked: Quote identical in the one article that has it, Claim never exact.
    assert figures["labels"]["Quote"]["exact_f1"] == 1.0
    assert figures["labels"]["Claim"]["exact_f1"] == 0.0
    assert figures["labels"]["Claim"]["overlap_f1"] == 1.0
    assert figures["pairs"]["ana|ben"]["relation_f1"] == 1.0
    # The text form prints the same numbers.
    out = StringIO()
    call_command("agreement", project=project.slug, stdout=out)
    text = out.getvalue()
    claim = next(line for line in text.splitlines() if line.startswith("Claim"))
    assert claim.split()[1:4] == [
        fmt(figures["labels"]["Claim"][m]) for m in ("exact_f1", "overlap_f1", "alpha")
    ]


def test_command_refuses_an_unknown_project(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No project"):
        call_command("agreement", project="nope", json=True, stdout=StringIO())


def test_snapshot_is_recomputed_when_work_changes(
    project, two_articles, make_article, annotator, annotator2
):
    first = snapshots.current_snapshot(project)
    assert first.fresh and first.layers == 4
    again = snapshots.current_snapshot(project)
    assert again.snapshot.computed_at == first.snapshot.computed_at  # nothing changed
    article = make_article(project, TEXT, external_id="later")
    submit_layer(article, annotator, [span_data("Cue", "said")])
    submit_layer(article, annotator2, [span_data("Cue", "said")])
    # A large project (above the inline limit) shows the old figures and says so …
    stale = snapshots.current_snapshot(project, inline_limit=0)
    assert (stale.fresh, stale.snapshot.computed_at) == (False, first.snapshot.computed_at)
    # … a small one recomputes them on the spot.
    fresh = snapshots.current_snapshot(project)
    assert fresh.fresh and fresh.snapshot.computed_at > first.snapshot.computed_at
    assert str(article.pk) in fresh.snapshot.data["agreement"]["articles"]


def test_large_project_dashboard_offers_to_recompute(
    client, project, two_articles, reviewer, settings
):
    settings.ANNOTATOR_AGREEMENT_INLINE_LAYERS = 0
    html = dashboard(client, reviewer, project).content.decode()
    assert "Not computed yet" in html and "Recompute now" in html
    response = client.post(f"/projects/{project.slug}/dashboard/agreement/")
    assert response.status_code == 302
    # A background job (tests/jobs/ runs it with a real worker); the dashboard follows it.
    job = Job.objects.get(project=project, kind="agreement")
    assert job.state == "queued" and job.created_by == reviewer
    html = dashboard(client, reviewer, project).content.decode()
    assert "Recompute now" not in html and f'data-job="{job.pk}"' in html
    # Asking again while it is queued starts no second one.
    client.post(f"/projects/{project.slug}/dashboard/agreement/")
    assert Job.objects.filter(project=project, kind="agreement").count() == 1


def test_dashboard_query_count(client, project, two_articles, reviewer, django_assert_num_queries):
    snapshots.refresh(project)
    client.force_login(reviewer)
    # 1 session, 2 user, 3 membership + project, 4 article states, 5 per-annotator figures,
    # 6 annotator members, 7 project median, 8 agreement fingerprint, 9 snapshot, 10 recent
    # activity, 11 label distribution, 12 lowest-agreement articles with their state, 13 a
    # running agreement recompute.
    with django_assert_num_queries(13):
        client.get(f"/projects/{project.slug}/dashboard/")


def test_agreement_api_returns_the_snapshot(api, project, two_articles, manager):
    body = api(manager).get(f"/api/v1/projects/{project.slug}/agreement/").json()
    assert body["up_to_date"] is True and body["submitted_layers"] == 4
    assert body["agreement"]["pairs"]["ana|ben"]["articles"] == 2
    assert body["labels"] == ["Quote", "Source", "Cue", "Claim", "Stance"]


def test_agreement_api_query_count(api, project, two_articles, manager, django_assert_num_queries):
    snapshots.refresh(project)
    client = api(manager)
    # 1 session, 2 user, 3 membership + project, 4 fingerprint of the submitted work,
    # 5 the snapshot (up to date, so nothing is recomputed).
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/projects/{project.slug}/agreement/")
    assert response.json()["up_to_date"] is True


def test_recent_activity_reads_rejections_and_relation_changes(project, make_article, reviewer):
    """Each kind of history event reads as a short phrase in the dashboard's activity list."""
    from labels.models import HistoryAction, HistoryEvent
    from labels.projects.dashboard import recent_activity

    article = make_article(project, TEXT)
    gold = Annotation.objects.create(article=article, is_gold=True)
    for action, after in [
        (HistoryAction.REJECTED, {"rejected": "Claim “ready” [5, 10)", "marked by": "ana"}),
        (HistoryAction.RELATION_UPDATED, {"label": "attributed_to", "attrs": {}}),
    ]:
        HistoryEvent.objects.create(
            annotation=gold, actor=reviewer, action=action, annotation_version=1, after=after
        )
    assert [row["what"] for row in recent_activity(project)] == [
        "changed attributed_to",
        "rejected Claim “ready” [5, 10)",
    ]
