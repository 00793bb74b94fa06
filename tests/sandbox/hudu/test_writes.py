"""Writes: articles, process templates, kickoff and the process-task restrictions."""

from __future__ import annotations

import base64

from .conftest import call


def test_article_create_is_visible_in_list_and_by_name(sim):
    sim.clock.advance(60)
    body = {"article": {"name": "KB: Outlook crashes", "content": "<p>Repair profile</p>",
                        "company_id": 101, "folder_id": 7, "enable_sharing": False}}
    resp = call(sim, "POST", "/api/v1/articles", body=body)
    assert resp.status == 200, resp.body
    created = resp.body["article"]
    assert created["created_at"] == created["updated_at"] == "2026-11-17T15:01:00Z"
    assert created["draft"] is False
    assert created["slug"].startswith("kb-outlook-crashes-")
    by_name = call(sim, "GET", "/api/v1/articles", {"name": "KB: Outlook crashes", "company_id": 101})
    assert [a["id"] for a in by_name.body["articles"]] == [created["id"]]
    since = call(sim, "GET", "/api/v1/articles", {"updated_at": "2026-11-17T15:00:30Z,"}).body
    assert [a["id"] for a in since["articles"]] == [created["id"]]


def test_article_update_and_validation(sim):
    sim.clock.advance(120)
    resp = call(sim, "PUT", "/api/v1/articles/3", body={"article": {"content": "<p>new</p>"}})
    assert resp.status == 200
    assert resp.body["article"]["content"] == "<p>new</p>"
    assert resp.body["article"]["name"] == "How to fix 3"
    assert resp.body["article"]["updated_at"] == "2026-11-17T15:02:00Z"
    assert call(sim, "GET", "/api/v1/articles/3").body["article"]["content"] == "<p>new</p>"
    bad = call(sim, "POST", "/api/v1/articles", body={"article": {"content": "no name"}})
    assert bad.status == 422
    assert bad.body["error"]
    assert bad.body["details"]
    unknown_company = {"article": {"name": "x", "company_id": 9}}
    assert call(sim, "POST", "/api/v1/articles", body=unknown_company).status == 422
    assert call(sim, "PUT", "/api/v1/articles/999", body={"article": {"name": "x"}}).status == 404


def test_bare_bodies_are_wrapped_like_rails(sim):
    resp = call(sim, "POST", "/api/v1/articles", body={"name": "Bare", "content": "<p>x</p>"})
    assert resp.status == 200
    assert resp.body["article"]["name"] == "Bare"


def test_procedure_create_kickoff_clones_tasks(sim):
    created = call(sim, "POST", "/api/v1/procedures",
                   body={"name": "KB updates (Globex)", "description": "d", "company_id": 102})
    assert created.status == 201
    new = created.body["procedure"]
    assert new["run"] is False
    assert new["total"] == 0
    assert new["process_type"] == "company"
    resp = call(sim, "POST", "/api/v1/procedures/1/kickoff", {"asset_id": 7, "name": "KB: Outlook"})
    assert resp.status == 200
    assert set(resp.body) == {"message"}
    runs = call(sim, "GET", "/api/v1/procedures", {"type": "run", "parent_process_id": 1}).body["procedures"]
    assert len(runs) == 1
    run = runs[0]
    assert run["run"] is True
    assert run["name"] == "KB: Outlook"
    assert run["process_type"] is None
    assert run["company_id"] == 101
    assert run["asset"] == "WS-007"
    assert run["status"] == "Not Started"
    tasks_of = "/api/v1/procedure_tasks"
    template_tasks = call(sim, "GET", tasks_of, {"procedure_id": 1}).body["procedure_tasks"]
    run_tasks = call(sim, "GET", tasks_of, {"procedure_id": run["id"]}).body["procedure_tasks"]
    assert [(t["name"], t["position"], t["description"]) for t in run_tasks] == \
        [(t["name"], t["position"], t["description"]) for t in template_tasks]
    assert {t["id"] for t in run_tasks}.isdisjoint({t["id"] for t in template_tasks})
    assert base64.b64decode(run_tasks[0]["description"]).decode() == "Look at tickets"


def test_kickoff_refusals(sim):
    assert call(sim, "POST", "/api/v1/procedures/2/kickoff").status == 422     # global template
    assert call(sim, "POST", "/api/v1/procedures/99/kickoff").status == 404
    assert call(sim, "POST", "/api/v1/procedures/1/kickoff", {"asset_id": 9999}).status == 422
    assert call(sim, "POST", "/api/v1/procedures", body={"description": "no name"}).status == 422


def _run_id(sim):
    call(sim, "POST", "/api/v1/procedures/1/kickoff")
    return call(sim, "GET", "/api/v1/procedures", {"type": "run"}).body["procedures"][0]["id"]


def test_task_create_on_template_but_not_on_run(sim):
    resp = call(sim, "POST", "/api/v1/procedure_tasks",
                body={"procedure_task": {"name": "Write article", "description": "Draft it",
                                         "procedure_id": 1, "completed": True}})
    assert resp.status == 201
    task = resp.body["procedure_task"]
    assert task["position"] == 4
    assert task["completed"] is False
    run_id = _run_id(sim)
    refused = call(sim, "POST", "/api/v1/procedure_tasks",
                   body={"procedure_task": {"name": "Extra", "procedure_id": run_id}})
    assert refused.status == 422
    assert "runs" in refused.body["error"]
    run_only = call(sim, "POST", "/api/v1/procedure_tasks",
                    body={"procedure_task": {"name": "x", "procedure_id": 1, "priority": "high"}})
    assert run_only.status == 422
    assert call(sim, "POST", "/api/v1/procedure_tasks",
                body={"procedure_task": {"name": "x", "procedure_id": 404}}).status == 404


def test_task_put_restrictions(sim):
    run_id = _run_id(sim)
    listed = call(sim, "GET", "/api/v1/procedure_tasks", {"procedure_id": run_id})
    run_task = listed.body["procedure_tasks"][0]
    sim.clock.advance(30)
    ok = call(sim, "PUT", f"/api/v1/procedure_tasks/{run_task['id']}",
              body={"procedure_task": {"assigned_users": [5], "due_date": "2026-11-24", "priority": "high",
                                       "completed": True, "completion_notes": "done"}})
    assert ok.status == 200, ok.body
    updated = ok.body["procedure_task"]
    assert updated["assigned_users"] == [5]
    assert updated["due_date"] == "2026-11-24"
    assert updated["priority"] == "high"
    assert updated["completed"] is False
    assert updated["updated_at"] == "2026-11-17T15:00:30Z"
    again = call(sim, "GET", f"/api/v1/procedure_tasks/{run_task['id']}").body["procedure_task"]
    assert again["assigned_users"] == [5]
    structural = call(sim, "PUT", f"/api/v1/procedure_tasks/{run_task['id']}",
                      body={"procedure_task": {"name": "renamed"}})
    assert structural.status == 422
    assert call(sim, "PUT", "/api/v1/procedure_tasks/1",
                body={"procedure_task": {"due_date": "2026-12-01"}}).status == 422
    renamed = call(sim, "PUT", "/api/v1/procedure_tasks/1",
                   body={"procedure_task": {"name": "Review cluster", "position": 9, "completed": True}})
    assert renamed.status == 200
    assert (renamed.body["procedure_task"]["name"], renamed.body["procedure_task"]["position"]) == \
        ("Review cluster", 9)
    assert call(sim, "PUT", f"/api/v1/procedure_tasks/{run_task['id']}",
                body={"procedure_task": {"priority": "asap"}}).status == 422
    assert call(sim, "PUT", "/api/v1/procedure_tasks/999", body={"procedure_task": {}}).status == 404


def test_rate_limited_response(sim):
    resp = sim.rate_limited(12.0)
    assert resp.status == 429
    assert resp.encode() == b"Retry later"
    assert "Retry-After" not in resp.headers
    assert sim.default_rate_limit == (300, 60.0)
    assert sim.config_section("http://127.0.0.1:1") == {"base_url": "http://127.0.0.1:1"}
    assert sim.secret_env() == {"SYNCD_HUDU__API_KEY": sim.default_credentials["api_key"]}
