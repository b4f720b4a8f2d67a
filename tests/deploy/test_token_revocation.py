"""An API key revoked in one process is refused by the very next request to any other.

The span save and starting an annotation take a key their process has seen before on trust and
check it in their own first statement (labels.api.auth.DeferredToken). Two gunicorn servers, one
database: both have served the key, it is revoked through one of them (or its user deactivated
in the database), and the other refuses the next request."""

from __future__ import annotations

import httpx
import pytest

from tests.support.servers import AppServer, Cluster, private_cluster, seed

pytestmark = pytest.mark.server

WORDS = 60
TEXT = " ".join(f"w{n:03d}" for n in range(WORDS))  # every word is 4 characters + a space


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    with private_cluster("revoke") as cluster:
        yield cluster


class Analyst:
    """One script's saves of the words ``w000``, ``w001``, … through whichever server it is
    given, with the version it was last answered."""

    def __init__(self, token: str, article_id: int):
        self.headers = {"Authorization": f"Token {token}"}
        self.article_id = article_id
        self.word = 0
        self.version = 0
        self.annotation_id = 0

    def start(self, server: AppServer) -> httpx.Response:
        response = httpx.post(
            f"{server.url}/api/v1/articles/{self.article_id}/annotation/", headers=self.headers
        )
        if response.status_code == 200:
            self.annotation_id, self.version = response.json()["id"], response.json()["version"]
        return response

    def save(self, server: AppServer) -> httpx.Response:
        n = self.word
        body = {"label": "Cue", "start": 5 * n, "end": 5 * n + 4, "text": f"w{n:03d}"}
        response = httpx.post(
            f"{server.url}/api/v1/annotations/{self.annotation_id}/spans/",
            json=body | {"version": self.version},
            headers=self.headers,
        )
        if response.status_code == 201:
            self.word, self.version = n + 1, response.json()["version"]
        return response


def _refused(response: httpx.Response) -> bool:
    return (
        response.status_code == 401
        and response.json()["errors"][0]["code"] == "authentication_failed"
    )


def test_a_key_revoked_or_a_user_deactivated_is_refused_at_once_by_every_server(cluster, tmp_path):
    ids = seed(
        cluster.env(),
        {
            "slug": "keys",
            "users": {"ana": "annotator", "ben": "annotator"},
            "articles": [TEXT],
            "per_article": 2,
        },
    )["keys"]
    article = ids["articles"][0]
    ana = Analyst(ids["tokens"]["ana"], article)
    ben = Analyst(ids["tokens"]["ben"], article)
    with (
        AppServer(cluster.env(), workers=1, threads=2, log=tmp_path / "a.log") as a,
        AppServer(cluster.env(), workers=1, threads=2, log=tmp_path / "b.log") as b,
    ):
        # Both servers serve both keys, several times (the second time on, from memory).
        for analyst in (ana, ben):
            assert analyst.start(a).status_code == 200
            for server in (a, b, a, b):
                assert analyst.save(server).status_code == 201
            assert analyst.start(b).status_code == 200

        # ana deletes her key through server a; server b refuses it on the next request.
        revoked = httpx.delete(f"{a.url}/api/v1/auth/token/", headers=ana.headers)
        assert revoked.status_code == 204
        for server in (b, a):
            assert _refused(ana.save(server))
            assert _refused(ana.start(server))

        # ben is deactivated (Django admin does this) while both servers know his key.
        with cluster.connect() as conn:
            done = conn.execute(
                "UPDATE auth_user SET is_active = false WHERE id = %s", [ids["users"]["ben"]]
            )
            assert done.rowcount == 1
        for server in (b, a):
            assert _refused(ben.save(server))
            assert _refused(ben.start(server))

    with cluster.connect() as conn:
        stored = conn.execute(
            "SELECT a.annotator_id, count(s.id) FROM labels_annotation a "
            "LEFT JOIN labels_span s ON s.annotation_id = a.id GROUP BY a.annotator_id"
        ).fetchall()
    assert sorted(count for _, count in stored) == [4, 4]  # nothing saved after the revocations
