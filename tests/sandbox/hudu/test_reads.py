"""Reads: auth, paging without metadata, filters and the updated_at quirks."""

from __future__ import annotations

from .conftest import ARCHIVED_ASSET, ASSET_SERIAL, COMPANIES, article_rows, asset_rows, call


def page_all(sim, path, key, query=None):
    """Loop like a Hudu client must: until a short or empty page."""
    pages, items, number = [], [], 1
    while True:
        resp = call(sim, "GET", path, {**(query or {}), "page": number})
        assert resp.status == 200, resp.body
        batch = resp.body[key]
        pages.append(len(batch))
        items.extend(batch)
        size = int((query or {}).get("page_size", 25))
        if len(batch) < size:
            return pages, items
        number += 1


def test_missing_or_wrong_key_is_401(sim):
    for headers in ({}, {"x-api-key": "nope"}, {"Authorization": "Bearer x"}):
        resp = call(sim, "GET", "/api/v1/companies", headers=headers)
        assert resp.status == 401
        assert set(resp.body) == {"error"}


def test_api_info(sim):
    resp = call(sim, "GET", "/api/v1/api_info")
    assert resp.body["version"] == "2.44.0"
    assert resp.body["date"]


def test_unknown_path_is_404(sim):
    assert call(sim, "GET", "/api/v1/nothing").status == 404


def test_assets_default_paging_25_without_metadata(sim):
    pages, items = page_all(sim, "/api/v1/assets", "assets")
    live = [a for a in asset_rows() if not a["archived"]]
    assert pages == [25, 25, len(live) - 50]
    assert [a["id"] for a in items] == [a["id"] for a in live]
    first = call(sim, "GET", "/api/v1/assets").body
    assert set(first) == {"assets"}          # no pagination metadata at all


def test_assets_page_size_and_fault_hook(sim):
    pages, _items = page_all(sim, "/api/v1/assets", "assets", {"page_size": 20})
    assert pages == [20, 20, 20, 1]
    hook = [p for p in sim.faults.pages if p[0] == "hudu_assets"]
    assert [len(ids) for _t, ids, _last in hook] == pages
    assert [last for _t, _ids, last in hook] == [False, False, False, True]
    assert hook[0][1] == list(range(1, 21))


def test_page_past_the_end_is_empty_and_page_size_is_capped(sim):
    assert call(sim, "GET", "/api/v1/assets", {"page": 99}).body == {"assets": []}
    assert len(call(sim, "GET", "/api/v1/assets", {"page_size": 5000}).body["assets"]) == 61


def test_archived_assets_hidden_unless_asked(sim):
    ids = [a["id"] for a in call(sim, "GET", "/api/v1/assets", {"page_size": 100}).body["assets"]]
    assert ARCHIVED_ASSET not in ids
    only = call(sim, "GET", "/api/v1/assets", {"archived": "true"}).body["assets"]
    assert [a["id"] for a in only] == [ARCHIVED_ASSET]


def test_asset_filters(sim):
    found = call(sim, "GET", "/api/v1/assets", {"primary_serial": ASSET_SERIAL}).body["assets"]
    assert [(a["id"], a["company_name"]) for a in found] == [(7, "Acme Corp")]
    by_company = call(sim, "GET", "/api/v1/assets", {"company_id": 102, "page_size": 100}).body["assets"]
    assert {a["company_id"] for a in by_company} == {102}
    assert len(by_company) == 20
    assert call(sim, "GET", "/api/v1/assets", {"company_id": "x"}).body == {"assets": []}
    assert [a["id"] for a in call(sim, "GET", "/api/v1/assets", {"name": "WS-011"}).body["assets"]] == [11]
    searched = call(sim, "GET", "/api/v1/assets", {"search": "ws-00"}).body["assets"]
    assert [a["id"] for a in searched] == list(range(1, 10))
    slug = found[0]["slug"]
    assert [a["id"] for a in call(sim, "GET", "/api/v1/assets", {"slug": slug}).body["assets"]] == [7]


def test_company_assets_route(sim):
    pages, _items = page_all(sim, "/api/v1/companies/101/assets", "assets")
    assert pages == [25, 5]
    assert call(sim, "GET", "/api/v1/companies/999/assets").status == 404


def _expected(rows, start=None, end=None):
    return sorted(r["id"] for r in rows if not r["archived"]
                  and (start is None or r["updated_at"] >= start) and (end is None or r["updated_at"] <= end))


def test_assets_updated_at_single_bound_is_ignored_but_closed_range_works(sim):
    everything = _expected(asset_rows())
    for raw in ("2026-11-10T00:00:00Z,", ",2026-11-05T00:00:00Z"):
        _pages, items = page_all(sim, "/api/v1/assets", "assets", {"updated_at": raw, "page_size": 1000})
        assert [a["id"] for a in items] == everything, raw
    closed = "2026-11-10T00:00:00Z,2026-11-12T23:59:59Z"
    _pages, items = page_all(sim, "/api/v1/assets", "assets", {"updated_at": closed, "page_size": 1000})
    expected = _expected(asset_rows(), "2026-11-10T00:00:00Z", "2026-11-12T23:59:59Z")
    assert [a["id"] for a in items] == expected
    assert 0 < len(expected) < len(everything)


def test_companies_envelope_integrations_and_updated_at(sim):
    companies = call(sim, "GET", "/api/v1/companies").body["companies"]
    assert [c["id"] for c in companies] == [101, 102, 103]
    acme = companies[0]
    assert acme["integrations"] == [{
        "id": 1011, "integrator_id": 1, "integrator_name": "cw_manage", "sync_id": 2501,
        "identifier": "AcmeCorp", "name": "Acme Corp", "potential_company_id": None,
        "company_id": 101, "company_name": "Acme Corp"}]
    assert companies[2]["integrations"] == []
    since = call(sim, "GET", "/api/v1/companies", {"updated_at": "2026-11-01T00:00:00Z,"}).body
    assert [c["id"] for c in since["companies"]] == [h for _w, h, *_r, upd in COMPANIES
                                                     if upd >= "2026-11-01"]
    until = call(sim, "GET", "/api/v1/companies", {"updated_at": ",2026-11-12T00:00:00+00:00"}).body
    assert [c["id"] for c in until["companies"]] == [101, 102]
    single = call(sim, "GET", "/api/v1/companies/102").body["company"]
    assert single["name"] == "Globex LLC"
    assert call(sim, "GET", "/api/v1/companies/555").status == 404


def test_company_by_id_in_integration_and_name(sim):
    for value in ("2502", "Globex"):
        found = call(sim, "GET", "/api/v1/companies", {"id_in_integration": value}).body["companies"]
        assert [c["id"] for c in found] == [102]
    assert call(sim, "GET", "/api/v1/companies", {"id_in_integration": "2503"}).body["companies"] == []
    assert [c["id"] for c in call(sim, "GET", "/api/v1/companies", {"name": "Initech"}).body["companies"]] \
        == [103]
    assert [c["id"] for c in call(sim, "GET", "/api/v1/companies", {"search": "glob"}).body["companies"]] \
        == [102]
    hook = [p for p in sim.faults.pages if p[0] == "companies"]
    assert hook[0] == ("companies", [2], True)       # world ids of the served rows


def test_articles_paging_and_filters(sim):
    rows = [r for r in article_rows() if not r["archived"]]
    pages, _items = page_all(sim, "/api/v1/articles", "articles")
    assert pages == [25, len(rows) - 25]
    body = call(sim, "GET", "/api/v1/articles", {"name": "How to fix 7"}).body["articles"]
    assert [a["id"] for a in body] == [7]
    assert call(sim, "GET", "/api/v1/articles", {"name": "how to fix 7"}).body["articles"] == []
    drafts = call(sim, "GET", "/api/v1/articles", {"draft": "true"}).body["articles"]
    assert [a["id"] for a in drafts] == [29]
    acme = call(sim, "GET", "/api/v1/articles", {"company_id": 101}).body["articles"]
    assert {a["company_id"] for a in acme} == {101}
    since = "2026-11-10T00:00:00Z"
    got = call(sim, "GET", "/api/v1/articles", {"updated_at": f"{since},"}).body["articles"]
    assert [a["id"] for a in got] == _expected(article_rows(), since)
    exact = call(sim, "GET", "/api/v1/articles", {"updated_at": "2026-11-08T09:30:00Z"}).body["articles"]
    instant = "2026-11-08T09:30:00Z"
    assert [a["id"] for a in exact] == _expected(article_rows(), instant, instant)
    assert call(sim, "GET", "/api/v1/articles/30").body["article"]["id"] == 30   # archived but fetchable
    assert call(sim, "GET", "/api/v1/articles/300").status == 404


def test_procedures_types_and_names(sim):
    both = call(sim, "GET", "/api/v1/procedures").body["procedures"]
    assert [p["id"] for p in both] == [1, 2]
    kb = call(sim, "GET", "/api/v1/procedures", {"name": "kb UPDATES", "type": "process"}).body
    assert [p["id"] for p in kb["procedures"]] == [1]
    template = kb["procedures"][0]
    assert template["run"] is False
    assert template["process_type"] == "company"
    assert template["total"] == 3
    assert next(t["name"] for t in template["procedure_tasks_attributes"]) == "Review ticket cluster"
    assert call(sim, "GET", "/api/v1/procedures", {"type": "run"}).body["procedures"] == []
    glob = call(sim, "GET", "/api/v1/procedures", {"process_scope": "global"}).body["procedures"]
    assert [p["id"] for p in glob] == [2]
    tasks = call(sim, "GET", "/api/v1/procedure_tasks", {"procedure_id": 1}).body["procedure_tasks"]
    assert [t["position"] for t in tasks] == [1, 2, 3]
    assert call(sim, "GET", "/api/v1/procedure_tasks", {"company_id": 101}).body["procedure_tasks"] == tasks
    assert call(sim, "GET", "/api/v1/procedures/77").status == 404
