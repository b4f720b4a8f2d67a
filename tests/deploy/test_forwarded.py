"""Login throttling behind proxies: axes sees the client's address, never the proxy's, and a
client cannot choose the address it is counted under (annotator/forwarded.py, labels.E003)."""

from __future__ import annotations

import re

import httpx
import pytest
from django.test import RequestFactory

from annotator.forwarded import client_address
from labels.checks import check_client_address_behind_proxies
from tests.support.servers import AppServer, private_cluster, seed

ATTACKER, VICTIM, PROXY = "203.0.113.66", "198.51.100.7", "127.0.0.1"


def _request(forwarded: str | None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/login/", REMOTE_ADDR=PROXY, **extra)


@pytest.mark.parametrize(
    "proxies, forwarded, seen",
    [
        (0, f"{ATTACKER}", PROXY),  # no proxy trusted: the header is the client's own words
        (1, f"{ATTACKER}", ATTACKER),
        (1, f"{VICTIM}, {ATTACKER}", ATTACKER),  # a forged entry on the left changes nothing
        (1, f" {VICTIM} ,{ATTACKER} ", ATTACKER),
        (2, f"{VICTIM}, {ATTACKER}, 10.0.0.2", ATTACKER),
        (1, None, PROXY),  # a proxy that set no header: its own address, not someone else's
        (2, f"{ATTACKER}", PROXY),  # fewer entries than trusted proxies
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(
    settings, proxies, forwarded, seen
):
    settings.ANNOTATOR_TRUSTED_PROXIES = proxies
    assert client_address(_request(forwarded)) == seen


def test_a_proxy_count_that_axes_would_not_honour_is_a_system_check_error(settings):
    settings.ANNOTATOR_TRUSTED_PROXIES = 1
    settings.AXES_ENABLED = True
    assert check_client_address_behind_proxies() == []
    settings.AXES_CLIENT_IP_CALLABLE = (
        None  # what the old settings did: axes fell back to REMOTE_ADDR
    )
    [error] = check_client_address_behind_proxies()
    assert error.id == "labels.E003"


def _login(client: httpx.Client, base: str, username: str, password: str, forwarded: str):
    page = client.get(f"{base}/login/", headers={"X-Forwarded-For": forwarded})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(
        f"{base}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"X-Forwarded-For": forwarded, "Referer": f"{base}/login/"},
    )


@pytest.mark.server
def test_an_attacker_behind_the_proxy_cannot_lock_a_user_out_of_their_own_address():
    """Through a real gunicorn with production settings, DEBUG=0 and AXES_PROXY_COUNT=1: five
    wrong passwords from the attacker's address (one of them forging the victim's) lock the
    attacker out, and the user still logs in from theirs."""
    with private_cluster("forwarded") as cluster:
        seeded = seed(cluster.env(), {"slug": "gate", "users": {"ana": "annotator"}})
        username = next(iter(seeded["gate"]["tokens"])) + ".gate"
        env = cluster.env(AXES_ENABLED="1", AXES_PROXY_COUNT="1", AXES_FAILURE_LIMIT="5")
        with AppServer(env) as server:
            with httpx.Client(timeout=30) as attacker:
                for n in range(5):
                    forwarded = f"{VICTIM}, {ATTACKER}" if n == 0 else ATTACKER
                    answer = _login(attacker, server.url, username, "wrong", forwarded)
                    assert answer.status_code in (200, 429), answer.status_code
                locked = _login(attacker, server.url, username, "pw-anaanaana", ATTACKER)
                assert locked.status_code == 429
            with httpx.Client(timeout=30) as victim:
                answer = _login(victim, server.url, username, "pw-anaanaana", VICTIM)
                assert answer.status_code == 302, answer.status_code
                assert answer.headers["location"] == "/"
