"""Authentication: Basic company+public:private plus clientId; companyinfo is open."""

from __future__ import annotations

import base64

from tests.sandbox.connectwise.conftest import CREDS, PREFIX, auth_headers, call


def _basic(user: str) -> str:
    return "Basic " + base64.b64encode(user.encode()).decode()


def test_valid_credentials_are_accepted(sim):
    response = call(sim, "GET", f"{PREFIX}/system/info")
    assert response.status == 200
    assert response.body["isCloud"] is True


def test_wrong_private_key_is_401_with_cw_body(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets",
                    headers={"Authorization": _basic("sandbox+pubKEY123:nope")})
    assert response.status == 401
    assert response.body["code"] == "Unauthorized"
    assert response.body["message"]


def test_wrong_company_is_401(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets",
                    headers={"Authorization": _basic("other+pubKEY123:privKEY456")})
    assert response.status == 401


def test_colon_instead_of_plus_is_401(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets",
                    headers={"Authorization": _basic("sandbox:pubKEY123:privKEY456")})
    assert response.status == 401


def test_missing_and_garbled_authorization_is_401(sim):
    assert call(sim, "GET", f"{PREFIX}/service/tickets", headers={"Authorization": None}).status == 401
    garbled = call(sim, "GET", f"{PREFIX}/service/tickets", headers={"Authorization": "Basic %%%"})
    assert garbled.status == 401


def test_missing_client_id_is_400_naming_client_id(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets", headers={"clientId": None})
    assert response.status == 400
    assert response.body["errors"][0]["field"] == "clientId"


def test_client_id_header_name_is_case_insensitive(sim):
    headers = {"clientId": None, "CLIENTID": CREDS["client_id"]}
    assert call(sim, "GET", f"{PREFIX}/system/info", headers=headers).status == 200


def test_company_info_needs_no_auth(sim):
    no_auth = {"Authorization": None, "clientId": None}
    response = call(sim, "GET", "/login/companyinfo/sandbox", headers=no_auth)
    assert response.status == 200
    assert response.body["Codebase"] == "v4_6_release/"
    assert response.body["VersionCode"] == "v2025.8"
    assert response.body["CompanyName"]


def test_company_info_wrong_company_is_plain_text(sim):
    response = call(sim, "GET", "/login/companyinfo/nobody", headers={"Authorization": None})
    assert response.status == 404
    assert response.raw == b"Cannot route. Codebase/company is invalid"


def test_wrong_codebase_is_plain_text_routing_error(sim):
    response = call(sim, "GET", "/v2019_1/apis/3.0/service/tickets")
    assert response.status == 404
    assert b"Cannot route" in response.raw


def test_unknown_path_under_api_is_json_404(sim):
    response = call(sim, "GET", f"{PREFIX}/no/such/thing")
    assert response.status == 404
    assert response.body["code"] == "NotFound"


def test_default_credentials_and_config(world, clock, faults):
    from syncd.sandbox.connectwise import ConnectWiseSimulator

    sim = ConnectWiseSimulator(world, clock, faults, {})
    creds = ConnectWiseSimulator.default_credentials
    assert call(sim, "GET", f"{PREFIX}/system/info", headers=auth_headers(creds)).status == 200
    section = sim.config_section("http://127.0.0.1:5000")
    assert section == {"base_url": "http://127.0.0.1:5000", "codebase": "v4_6_release/",
                       "company_id": creds["company_id"], "public_key": creds["public_key"],
                       "client_id": creds["client_id"]}
    assert sim.secret_env() == {"SYNCD_CONNECTWISE__PRIVATE_KEY": creds["private_key"]}


def test_rate_limited_answer(sim):
    response = sim.rate_limited(2.4)
    assert response.status == 429
    assert response.headers["Retry-After"] == "2"
    assert response.body["code"] == "TooManyRequests"
