"""Every served endpoint's body validates against the NinjaOne OpenAPI spec's response schema.

Needs the spec folder in SYNCD_VENDOR_SPECS (e.g. /work/shared/specs). The autouse fixture in
conftest.py also checks every other test's query parameters and 2xx bodies the same way.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import spec
from .support import get
from .world_data import ORG_A

pytestmark = pytest.mark.skipif(
    spec.spec_dir() is None,
    reason=f"set {spec.SPEC_ENV} to the folder holding {spec.SPEC_FILE} to run the NinjaOne contract tests",
)

# (route pattern, concrete path, query): every GET the simulator serves, with the parameters syncd uses.
ENDPOINTS: list[tuple[str, str, dict[str, Any]]] = [
    ("/v2/organizations", "/v2/organizations", {"pageSize": 1}),
    ("/v2/organizations-detailed", "/v2/organizations-detailed", {"pageSize": 10, "after": 0}),
    ("/v2/organization/{id}", f"/v2/organization/{ORG_A}", {}),
    ("/v2/devices", "/v2/devices", {"df": f"org = {ORG_A}", "pageSize": 5, "after": 2}),
    ("/v2/devices-detailed", "/v2/devices-detailed", {"df": "class = WINDOWS_WORKSTATION", "pageSize": 50}),
    ("/v2/organization/{id}/devices", f"/v2/organization/{ORG_A}/devices", {"pageSize": 3}),
    ("/v2/device/{id}", "/v2/device/7", {}),
    ("/v2/queries/os-patch-installs", "/v2/queries/os-patch-installs",
     {"df": f"org = {ORG_A}", "status": "FAILED", "installedAfter": 0, "installedBefore": 2e9,
      "pageSize": 10}),
    ("/v2/queries/software-patch-installs", "/v2/queries/software-patch-installs",
     {"status": "INSTALLED", "type": "PATCH", "impact": "CRITICAL", "pageSize": 10}),
    ("/v2/device/{id}/os-patch-installs", "/v2/device/3/os-patch-installs", {"status": "INSTALLED"}),
    ("/v2/device/{id}/software-patch-installs", "/v2/device/3/software-patch-installs",
     {"installedAfter": 0}),
    ("/v2/alerts", "/v2/alerts", {"df": f"org = {ORG_A}", "sourceType": "CONDITION_AGENT_CPU"}),
    ("/v2/alerts", "/v2/alerts", {}),
    ("/v2/device/{id}/alerts", "/v2/device/3/alerts", {}),
    ("/v2/queries/computer-systems", "/v2/queries/computer-systems", {"df": f"org = {ORG_A}", "pageSize": 5}),
    ("/v2/activities", "/v2/activities",
     {"class": "DEVICE", "newerThan": 10, "pageSize": 50, "df": "class = MAC"}),
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The converted spec."""
    loaded = spec.load()
    assert loaded is not None
    return loaded


@pytest.mark.parametrize(("pattern", "path", "query"), ENDPOINTS,
                         ids=[f"{e[0]}{sorted(e[2])}" for e in ENDPOINTS])
def test_endpoint_matches_spec(sim, token, document, *, pattern, path, query) -> None:
    spec.check_params(document, pattern, "GET", set(query))
    resp = get(sim, token, path, **query)
    assert resp.status == 200, resp.body
    assert resp.body, f"{path} served nothing; the contract check would be vacuous"
    spec.validate_response(document, pattern, "GET", resp.status, resp.body)


@pytest.mark.parametrize("path", ["/v2/queries/os-patch-installs", "/v2/queries/software-patch-installs",
                                  "/v2/queries/computer-systems"])
def test_cursor_pages_and_final_empty_page_match_spec(sim, token, document, path) -> None:
    body = get(sim, token, path, pageSize=1000).body
    final = get(sim, token, path, cursor=body["cursor"]["name"]).body
    assert final["results"] == []
    assert final["cursor"]["count"] == 0
    for page in (body, final):
        spec.validate_response(document, path, "GET", 200, page)


def test_detailed_devices_validate_as_agent_devices(sim, token, document) -> None:
    for device in get(sim, token, "/v2/devices-detailed").body:
        spec.validate_component("AgentDevice", device, "devices-detailed")


def test_validator_catches_a_wrong_shape(document) -> None:
    bad = {"cursor": {"name": "x", "offset": "0", "count": 1, "expires": 1.0},
           "results": [{"installedAt": "x"}]}
    with pytest.raises(AssertionError):
        spec.validate_response(document, "/v2/queries/os-patch-installs", "GET", 200, bad)
    with pytest.raises(AssertionError):
        spec.check_params(document, "/v2/devices", "GET", {"limit"})


def test_every_route_is_a_spec_operation(sim, document) -> None:
    for method, _regex, pattern, _fn in sim._routes:
        if pattern.startswith("/v2/"):
            spec.operation(document, pattern, method)
