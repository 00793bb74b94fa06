"""OAuth2 client-credentials grant, bearer checks and token expiry on the sandbox clock."""

from __future__ import annotations

import base64

from syncd.sandbox.ninjaone import NinjaOneSimulator
from syncd.sandbox.ninjaone.auth import TOKEN_LIFETIME_S

from .support import call, get, get_token

CREDS = NinjaOneSimulator.default_credentials


def _grant(sim: NinjaOneSimulator, **form: str):
    return call(sim, "POST", "/ws/oauth/token", form=form)


def test_token_grant_success(sim: NinjaOneSimulator) -> None:
    resp = _grant(sim, grant_type="client_credentials", client_id=CREDS["client_id"],
                  client_secret=CREDS["client_secret"], scope="monitoring")
    assert resp.status == 200
    assert resp.body["token_type"] == "bearer"
    assert resp.body["expires_in"] == 3600
    assert resp.body["scope"] == "monitoring"
    assert isinstance(resp.body["access_token"], str)
    assert len(resp.body["access_token"]) > 40
    assert resp.headers["Cache-Control"] == "no-store"


def test_tokens_are_distinct(sim: NinjaOneSimulator) -> None:
    assert get_token(sim) != get_token(sim)


def test_scope_defaults_to_the_apps_scopes(sim: NinjaOneSimulator) -> None:
    resp = _grant(sim, grant_type="client_credentials", client_id=CREDS["client_id"],
                  client_secret=CREDS["client_secret"])
    assert resp.status == 200
    assert resp.body["scope"] == "monitoring"


def test_basic_auth_client_credentials(sim: NinjaOneSimulator) -> None:
    basic = base64.b64encode(f"{CREDS['client_id']}:{CREDS['client_secret']}".encode()).decode()
    resp = call(sim, "POST", "/ws/oauth/token", headers={"Authorization": f"Basic {basic}"},
                form={"grant_type": "client_credentials", "scope": "monitoring"})
    assert resp.status == 200


def test_wrong_secret_is_invalid_client(sim: NinjaOneSimulator) -> None:
    resp = _grant(sim, grant_type="client_credentials", client_id=CREDS["client_id"],
                  client_secret="wrong", scope="monitoring")
    assert resp.status == 400
    assert resp.body["error"] == "invalid_client"
    assert "error_description" in resp.body


def test_unknown_client_is_invalid_client(sim: NinjaOneSimulator) -> None:
    resp = _grant(sim, grant_type="client_credentials", client_id="nobody", client_secret="x")
    assert resp.status == 400
    assert resp.body["error"] == "invalid_client"


def test_unsupported_grant_type(sim: NinjaOneSimulator) -> None:
    resp = _grant(sim, grant_type="password", client_id=CREDS["client_id"],
                  client_secret=CREDS["client_secret"])
    assert resp.status == 400
    assert resp.body["error"] == "unsupported_grant_type"


def test_missing_grant_type(sim: NinjaOneSimulator) -> None:
    resp = _grant(sim, client_id=CREDS["client_id"], client_secret=CREDS["client_secret"])
    assert resp.status == 400
    assert resp.body["error"] == "invalid_request"


def test_scope_not_granted_is_refused_not_narrowed(sim: NinjaOneSimulator) -> None:
    resp = _grant(sim, grant_type="client_credentials", client_id=CREDS["client_id"],
                  client_secret=CREDS["client_secret"], scope="monitoring management")
    assert resp.status == 400
    assert resp.body["error"] == "invalid_scope"


def test_missing_bearer_is_401(sim: NinjaOneSimulator) -> None:
    resp = call(sim, "GET", "/v2/devices")
    assert resp.status == 401
    assert resp.body == {"error": "not_authenticated", "error_description": "Invalid credentials",
                         "error_code": 10}


def test_unknown_bearer_is_401(sim: NinjaOneSimulator) -> None:
    assert get(sim, "not-a-token", "/v2/devices").status == 401


def test_token_expires_on_sandbox_clock(sim: NinjaOneSimulator, clock, token: str) -> None:
    assert get(sim, token, "/v2/devices").status == 200
    clock.advance(TOKEN_LIFETIME_S - 1)
    assert get(sim, token, "/v2/devices").status == 200
    clock.advance(1)
    resp = get(sim, token, "/v2/devices")
    assert resp.status == 401
    assert resp.body["error"] == "not_authenticated"
    # A fresh token works again.
    assert get(sim, get_token(sim), "/v2/devices").status == 200


def test_token_from_another_simulator_is_rejected(sim: NinjaOneSimulator, world, clock, faults) -> None:
    other = NinjaOneSimulator(world, clock, faults, CREDS)
    assert get(sim, get_token(other), "/v2/devices").status == 401


def test_scope_without_monitoring_is_403(world, clock, faults) -> None:
    sim = NinjaOneSimulator(world, clock, faults, {**CREDS, "scopes": "monitoring management"})
    management_only = get_token(sim, scope="management")
    resp = get(sim, management_only, "/v2/devices")
    assert resp.status == 403
    assert resp.body["resultCode"] == "FAILURE"
    assert get(sim, get_token(sim, scope="monitoring management"), "/v2/devices").status == 200


def test_token_endpoint_needs_no_bearer_and_unknown_path_is_404(sim: NinjaOneSimulator, token: str) -> None:
    resp = get(sim, token, "/v2/no-such-thing")
    assert resp.status == 404
    assert resp.body == {"resultCode": "FAILURE", "errorMessage": "HTTP 404 Not Found"}


def test_rate_limited_body_and_retry_after(sim: NinjaOneSimulator) -> None:
    resp = sim.rate_limited(2.4)
    assert resp.status == 429
    assert resp.headers["Retry-After"] == "2"
    assert resp.body["resultCode"] == "FAILURE"


def test_config_section_and_secret_env(sim: NinjaOneSimulator) -> None:
    assert sim.config_section("http://127.0.0.1:1234") == {
        "base_url": "http://127.0.0.1:1234", "client_id": CREDS["client_id"], "scope": "monitoring"}
    assert sim.secret_env() == {"SYNCD_NINJAONE__CLIENT_SECRET": CREDS["client_secret"]}
    assert sim.default_rate_limit is None
