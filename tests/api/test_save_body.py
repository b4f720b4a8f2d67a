"""A span save's body is checked without building serializers (issue 18), with the very answers
SpanCreateSerializer and ViaSerializer give: the same data for a body they accept, the same 400
(field names and messages) for one they refuse, on every body tried here."""

from __future__ import annotations

import random
import uuid

import pytest
from rest_framework.exceptions import ValidationError

from labels.api.inputs import SpanCreateSerializer, ViaSerializer, parse_span_create

BODY = {"version": 3, "start": 4, "end": 12, "text": "minister", "label": "Cue"}


def by_serializers(data):
    serializer = SpanCreateSerializer(data=data)
    if not serializer.is_valid():
        return "refused", serializer.errors
    via = ViaSerializer(data=data)
    if not via.is_valid():
        return "refused", via.errors
    return "accepted", (dict(serializer.validated_data), via.validated_data["via"])


def by_parse(data):
    try:
        checked = parse_span_create(data)
    except ValidationError as exc:
        return "refused", exc.detail
    return "accepted", checked


def same_answer(data):
    expected, got = by_serializers(data), by_parse(data)
    assert got == expected, data
    if got[0] == "accepted":  # in the same order, of the same types (a UUID stays a UUID)
        assert list(got[1][0]) == list(expected[1][0])
        assert [type(v) for v in got[1][0].values()] == [type(v) for v in expected[1][0].values()]
    return got


ODD_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**63,
    2**63 - 1,
    1.0,
    1.5,
    "1",
    " 7 ",
    "",
    " ",
    "Cue",
    " Cue ",
    "C" * 50,
    "C" * 51,
    "a\x00b",
    "\ud800",
    "naïve “quote”",
    "undo",
    "redo",
    "Undo",
    [],
    [1],
    {},
    {"k": 1},
    {"k": None, "n": [1, {"x": 2}]},
    str(uuid.uuid4()),
    uuid.uuid4().hex,
    "{" + str(uuid.uuid4()) + "}",
    "urn:uuid:" + str(uuid.uuid4()),
    "not-a-uuid",
]


def test_a_save_as_the_workspace_sends_it_is_read_as_the_serializers_read_it():
    client_id = str(uuid.uuid4())
    kind, (data, via) = same_answer({**BODY, "client_id": client_id, "via": "undo"})
    assert kind == "accepted" and via == "undo"
    assert data["client_id"] == uuid.UUID(client_id) and data["attrs"] == {}
    attrs = {"speaker": 7}
    kind, (data, via) = same_answer({**BODY, "attrs": attrs, "extra": "ignored"})
    assert via == "" and data["attrs"] == attrs and data["attrs"] is not attrs
    assert "client_id" not in data and "extra" not in data
    assert same_answer({**BODY, "client_id": None})[1][0]["client_id"] is None


@pytest.mark.parametrize("field", [*BODY, "attrs", "client_id", "via"])
def test_every_odd_value_of_every_field_gets_the_serializers_answer(field):
    for value in ODD_VALUES:
        same_answer({**BODY, field: value})
    if field in BODY:
        same_answer({key: value for key, value in BODY.items() if key != field})


def test_a_refused_create_answers_its_own_errors_before_a_bad_via():
    kind, errors = same_answer({**BODY, "start": -1, "label": "", "via": "sideways"})
    assert kind == "refused" and set(errors) == {"start", "label"}
    kind, errors = same_answer({**BODY, "via": "sideways"})
    assert kind == "refused" and set(errors) == {"via"}
    for data in (None, [], "body", 5, [BODY]):
        assert same_answer(data)[0] == "refused"


def test_random_bodies_get_the_serializers_answer():
    rng = random.Random(18)
    fields = [*BODY, "attrs", "client_id", "via"]
    for _ in range(3000):
        body = dict(BODY)
        for field in rng.sample(fields, rng.randint(1, 3)):
            if rng.random() < 0.15:
                body.pop(field, None)
            else:
                body[field] = rng.choice(ODD_VALUES)
        same_answer(body)
