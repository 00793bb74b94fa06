"""One end-to-end pass over real loopback HTTP through the sandbox server."""

from __future__ import annotations

import requests

from syncd.sandbox import Sandbox
from syncd.sandbox.connectwise import ConnectWiseSimulator
from tests.sandbox.connectwise.conftest import PREFIX, auth_headers


def test_pages_tickets_over_http_following_link_headers(world):
    creds = ConnectWiseSimulator.default_credentials
    with Sandbox(world, vendors=["connectwise"]) as sandbox:
        base = sandbox.url("connectwise")
        info = requests.get(f"{base}/login/companyinfo/{creds['company_id']}", timeout=10)
        assert info.json()["Codebase"] == "v4_6_release/"
        url: str | None = f"{base}{PREFIX}/service/tickets?pageSize=7&conditions=closedFlag%3DFalse"
        ids: list[int] = []
        pages = 0
        while url:
            response = requests.get(url, headers=auth_headers(creds), timeout=10)
            assert response.status_code == 200, response.text
            ids += [t["id"] for t in response.json()]
            pages += 1
            # the Link header carries absolute URLs on the server's own host:port
            url = response.links.get("next", {}).get("url")
            assert url is None or url.startswith(base)
        assert pages == 4
        assert ids == [i for i in range(1, 31) if i % 4 and i != 13]
        denied = requests.get(f"{base}{PREFIX}/service/tickets", timeout=10)
        assert denied.status_code == 401
        assert denied.json()["code"] == "Unauthorized"
