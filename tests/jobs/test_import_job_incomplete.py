"""A background import of a doccano export keeps Infer quote_type and reports the incomplete
spans in its result, as the streamed import does (tests/interop/test_incomplete.py)."""

from __future__ import annotations

import pytest

from labels.models import Span
from tests.jobs.test_jobs_api import _finished, _upload
from tests.support.paths import IMPORT_SAMPLES

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


def test_a_background_import_infers_quote_type_and_counts_the_rest(api, project, manager, worker):
    client = api(manager)
    data = (IMPORT_SAMPLES / "doccano_120_labels.jsonl").read_bytes()
    response = client.post(
        f"/api/v1/projects/{project.slug}/imports/",
        {
            "file": _upload("d.jsonl", data),
            "format": "doccano",
            "layer": "gold",
            "infer_attrs": "true",
            "background": "true",
        },
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job = _finished(client, response.json()["id"], workers=[worker])
    assert job["state"] == "succeeded", job
    quotes = Span.objects.filter(label="Quote").count()
    stances = Span.objects.filter(label="Stance").count()
    assert job["result"]["inferred"] == quotes > 0
    assert [(i["label"], i["spans"]) for i in job["result"]["incomplete"]] == [("Stance", stances)]
    assert not Span.objects.filter(label="Quote", attrs={}).exists()
