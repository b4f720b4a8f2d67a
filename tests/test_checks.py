"""labels.checks: a bad setting stops ``manage.py check`` and the WSGI application at start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from labels.checks import check_positive_settings, check_suggester_networks
from tests.support.paths import ROOT


def test_a_malformed_suggester_network_is_a_system_check_error(settings):
    settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS = ["10.1.0.0/16", "intranet"]
    [error] = check_suggester_networks()
    assert error.id == "labels.E001" and "'intranet'" in error.msg
    with pytest.raises(SystemCheckError, match="labels.E001"):
        call_command("check")


def test_well_formed_networks_pass(settings):
    settings.ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS = ["10.1.0.0/16", "::1/128", "192.168.1.7"]
    assert check_suggester_networks() == []


def test_a_lease_of_zero_minutes_is_a_system_check_error(settings):
    settings.ANNOTATOR_LEASE_MINUTES = 0
    assert [e.id for e in check_positive_settings()] == ["labels.E002"]


@pytest.mark.server
def test_the_wsgi_application_refuses_to_start_with_a_bad_setting():
    env = dict(os.environ, DEBUG="1", ANNOTATOR_SUGGESTER_ALLOWED_NETWORKS="intranet")
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", "import annotator.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "labels.E001" in result.stderr and "intranet" in result.stderr


@pytest.mark.server
def test_the_wsgi_application_loads_every_view_before_its_first_request():
    """A gunicorn worker imports the URLconf when it starts, not in the first request it serves
    (which would then wait for it: half a second on the 2-core machine)."""
    env = dict(os.environ, DEBUG="1")
    env.pop("DATABASE_URL", None)
    code = "import sys, annotator.wsgi; print(sorted(m for m in sys.modules if m.startswith('labels.api.')))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = result.stdout
    for module in ("labels.api.urls", "labels.api.annotations", "labels.api.export"):
        assert f"'{module}'" in loaded, module
