"""What the API views share: parsing a request body, the transaction of a write, the answer.

Every view is *parse → fetch with the access check → one domain call → answer*; these helpers
are the steps that repeat, so that no view writes them out again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.http import Http404, HttpResponse
from rest_framework import status
from rest_framework.response import Response

from labels import access
from labels.annotation.versions import Result
from labels.api.outputs import WriteResultSerializer
from labels.models import Annotation, Article, Membership, Project, Role


def parse(serializer_class: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
    """The request body checked by ``serializer_class``; a 400 naming each bad field."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@contextmanager
def writing(user, annotation_id: int | str) -> Iterator[Annotation]:
    """A transaction holding the caller's annotation ``annotation_id`` locked ``FOR UPDATE``
    (404 when they may not read it, 403 when they may not change it): the frame of every write
    to one layer, which the ``do_*`` functions of ``labels.annotation`` expect."""
    with transaction.atomic():
        annotation, _ = access.access_annotation(user, annotation_id, write=True, lock=True)
        yield annotation


def managing(request, slug: str, body: Any) -> tuple[Project, Membership, dict[str, Any]]:
    """A manager's write to the project ``slug``: the project and the caller's membership (404
    for a non-member, 403 for a member who is not a manager), then the body checked by ``body``."""
    project, membership = access.access_project(request.user, slug, roles=[Role.MANAGER])
    return project, membership, parse(body, request.data)


def my_annotation(user, article_id: int | str) -> tuple[Article, Membership, Annotation]:
    """The article ``article_id`` (``access.access_article``) with the caller's own layer of it;
    404 when they have not started it."""
    article, membership = access.access_article(user, article_id)
    annotation = access.own_annotation(article, user)
    if annotation is None:
        raise Http404("You have not started this article.")
    return article, membership, annotation


def raw_json(text: str | bytes) -> HttpResponse:
    """A 200 whose body is JSON already written (by PostgreSQL, labels.annotation.reads),
    sent as it is: nothing parses and renders it again."""
    body = text.encode() if isinstance(text, str) else text
    return HttpResponse(body, content_type="application/json")


#: ``written``'s two answers to an add, for ``@extend_schema(responses=…)``.
WRITE_RESPONSES = {201: WriteResultSerializer, 200: WriteResultSerializer}


def written(result: Result, **body: Any) -> Response:
    """The answer to a write to a layer: the annotation's new version, then ``body``. 201 when
    the write added the object; 200 for a change, a deletion, or an add that the same
    ``client_id`` had already made."""
    return Response(
        {"version": result.annotation.version, **body},
        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
    )
