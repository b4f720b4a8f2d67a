"""Helpers of the API tests."""

from __future__ import annotations


def errors_of(response):
    return {(e["field"], e["code"]) for e in response.json()["errors"]}
