"""The token endpoint: an API key is shown once (only its digest is stored), rotated or
revoked here."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from labels.api.auth import issue_token
from labels.api.outputs import TokenSerializer, TokenStatusSerializer


class TokenView(APIView):
    """The caller's API token, for scripts: ``Authorization: Token <key>``."""

    @extend_schema(summary="Whether I have an API token", responses=TokenStatusSerializer)
    def get(self, request):
        token = Token.objects.filter(user=request.user).first()
        return Response({"exists": token is not None, "created": token.created if token else None})

    @extend_schema(
        summary="Create my API token, replacing any previous one",
        request=None,
        responses={201: TokenSerializer},
    )
    def post(self, request):
        key, token = issue_token(request.user)
        return Response(
            TokenSerializer({"key": key, "created": token.created}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="Revoke my API token", request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
