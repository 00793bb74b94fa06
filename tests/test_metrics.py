"""Metrics, /healthz and /readyz: scraped over loopback after real polls of the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from syncd import runtime as runtime_module
from syncd.digests.pipeline import PassReport
from syncd.jobs.evaluate import EvaluateResult
from syncd.metrics import MetricsSettings, serve_metrics
from syncd.metrics.collect import OTHER_ENDPOINT, SyncdMetrics, endpoint_template
from syncd.metrics.server import MetricsServer
from syncd.ratelimit import LIMITERS
from syncd.runtime import Runtime, open_runtime, run_once
from syncd.sandbox import Sandbox
from syncd.sandbox.world.generate import generate_world
from syncd.settings import Settings, load_settings
from syncd.state import SqliteStateStore

VENDORS = ("connectwise", "ninjaone", "hudu")
# No real waiting between retries, and few of them: the sandbox answers scripted 503s at once.
HTTP_TOML = '\n[http]\nmax_attempts = 2\nbackoff_max = "0s"\n'


# --- helpers shared with tests/jobs/test_synchealth.py --------------------------------------------


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """The three simulators over a freshly generated tiny world (world_now 2026-11-17T15:00Z)."""
    LIMITERS.clear()  # buckets are process-wide; earlier tests' tenants must not add to our budget
    world = generate_world(tmp_path / "world.db", seed=1, size="tiny")
    with Sandbox(world, vendors=list(VENDORS)) as box:
        yield box
    world.close()


def sandbox_settings(box: Sandbox, directory: Path, *, secrets: dict[str, str] | None = None) -> Settings:
    """Settings for `box` from its own config and secrets files, optionally with edited secrets."""
    config, secrets_path = box.write_config(directory, state_path=directory / "state.db")
    config.write_text(config.read_text() + HTTP_TOML)
    if secrets:
        lines = [line for line in secrets_path.read_text().splitlines() if line.split("=", 1)[0] not in secrets]
        secrets_path.write_text("\n".join([*lines, *(f"{k}={v}" for k, v in secrets.items())]) + "\n")
    return load_settings(config, secrets_file=secrets_path)


@contextmanager
def sandbox_runtime(settings: Settings, box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """`open_runtime(settings, clock=box.clock)` with the state store stamping runs on that clock.

    open_runtime does not pass its clock to the store yet (the change is in the report); until it
    does, run times would be wall-clock times against a sandbox clock in 2026-11-17.
    """
    def store(path: Any, **kwargs: Any) -> SqliteStateStore:
        kwargs.setdefault("now", box.clock.now)
        return SqliteStateStore(path, **kwargs)

    monkeypatch.setattr(runtime_module, "SqliteStateStore", store)
    with open_runtime(settings, clock=box.clock) as rt:
        yield rt


def poll_ids(rt: Runtime) -> list[str]:
    """Every poll job, in build order."""
    return [spec.id for spec in rt.jobs if spec.id.startswith("poll:")]


def scrape(server: MetricsServer) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """GET /metrics and return {sample name: {sorted labels: value}}."""
    answer = requests.get(f"{server.url}/metrics", timeout=5)
    assert answer.status_code == 200
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def by(samples: dict[tuple[tuple[str, str], ...], float], *keys: str) -> dict[tuple[str, ...], float]:
    """Re-key one metric's samples by the given label values."""
    return {tuple(dict(labels)[k] for k in keys): value for labels, value in samples.items()}


@pytest.fixture
def serving(sandbox: Sandbox, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Runtime, MetricsServer]]:
    """A sandbox runtime with instrumented jobs and its metrics port on a free loopback port."""
    settings = sandbox_settings(sandbox, tmp_path)
    with sandbox_runtime(settings, sandbox, monkeypatch) as rt, \
            serve_metrics(rt, MetricsSettings(enabled=True, port=0)) as server:
        assert server is not None
        yield rt, server


# --- endpoint templates and event counters ---------------------------------------------------------


@pytest.mark.parametrize(("raw", "template"), [
    ("/v4_6_release/apis/3.0/service/tickets/480001/notes", "/v4_6_release/apis/3.0/service/tickets/{id}/notes"),
    ("/v2/device/6f1c2b9e-4d3a-4e8b-9a57-0c2d1e3f4a5b/patches?after=10", "/v2/device/{id}/patches"),
    ("https://h.example/api/v1/companies/12/assets/0a1b2c3d4e5f60718293?page=2",
     "/api/v1/companies/{id}/assets/{id}"),
    ("/api/v1/companies", "/api/v1/companies"),
    ("/login/companyinfo/sandbox", "/login/companyinfo/sandbox"),
])
def test_endpoint_template_drops_ids_and_query(raw: str, template: str) -> None:
    assert endpoint_template(raw) == template


def test_counters_live_in_a_private_registry() -> None:
    first, second = SyncdMetrics(), SyncdMetrics()
    first.observe_request("hudu", "GET", "/api/v1/companies/7", 200, 0.01)
    assert first.registry.get_sample_value(
        "syncd_http_requests_total", {"vendor": "hudu", "method": "GET", "endpoint": "/api/v1/companies/{id}"}) == 1
    assert second.registry.get_sample_value(
        "syncd_http_requests_total", {"vendor": "hudu", "method": "GET", "endpoint": "/api/v1/companies/{id}"}) is None


def test_errors_429s_and_retry_waits_are_counted() -> None:
    metrics = SyncdMetrics()
    for status in (429, 503, None, 404, 200):
        metrics.observe_request("ninjaone", "GET", "/v2/alerts", status, 0.2)
    metrics.observe_retry_wait("ninjaone", 2.5)
    metrics.observe_retry_wait("ninjaone", 1.5)
    value = metrics.registry.get_sample_value
    errors = {kind: value("syncd_http_errors_total", {"vendor": "ninjaone", "endpoint": "/v2/alerts", "kind": kind})
              for kind in ("4xx", "5xx", "transport")}
    assert errors == {"4xx": 2, "5xx": 1, "transport": 1}
    assert value("syncd_http_throttled_total", {"vendor": "ninjaone", "endpoint": "/v2/alerts"}) == 1
    assert value("syncd_http_retry_wait_seconds_total", {"vendor": "ninjaone"}) == 4.0
    assert value("syncd_http_retries_total", {"vendor": "ninjaone"}) == 2


def test_endpoints_per_vendor_are_capped() -> None:
    metrics = SyncdMetrics()
    for i in range(150):
        metrics.observe_request("hudu", "GET", f"/api/v1/odd-{i}x", 200, 0.0)
    endpoints = {labels["endpoint"] for fam in metrics.registry.collect() if fam.name == "syncd_http_requests"
                 for labels in (s.labels for s in fam.samples if s.name.endswith("_total"))}
    assert len(endpoints) == 101
    assert OTHER_ENDPOINT in endpoints


def test_rule_outcomes_and_digest_deliveries() -> None:
    metrics = SyncdMetrics()
    metrics.observe_result(EvaluateResult(
        rules=2, planned_writes=6, performed=3, already_done=1, failed=1, findings_raised=0, findings_resolved=0,
        capped=0, dry_run=False,
        by_rule={"link-ticket-device": {"done": 2, "recovered": 1, "already_done": 1, "failed": 1},
                 "stale-in-progress": {"capped": 40}}))
    metrics.observe_result(PassReport(sent=3, failed=1, quiet=2))
    value = metrics.registry.get_sample_value
    assert value("syncd_rule_actions_performed_total", {"rule": "link-ticket-device"}) == 3
    assert value("syncd_rule_actions_failed_total", {"rule": "link-ticket-device"}) == 1
    assert value("syncd_rule_actions_skipped_total", {"rule": "link-ticket-device", "reason": "already_done"}) == 1
    assert value("syncd_rule_actions_skipped_total", {"rule": "stale-in-progress", "reason": "capped"}) == 40
    assert value("syncd_digest_deliveries_total") == 3
    assert value("syncd_digest_delivery_failures_total") == 1


# --- end to end over the sandbox -----------------------------------------------------------------


def test_scrape_after_polls_matches_what_the_sandbox_served(
        serving: tuple[Runtime, MetricsServer], sandbox: Sandbox) -> None:
    rt, server = serving
    # A 503 answered twice on Hudu articles: the poll fails after its two attempts (max_attempts = 2).
    sandbox.injector("hudu").script(["503", "503"], path_prefix="/api/v1/articles")
    run_once(rt, poll_ids(rt))
    samples = scrape(server)
    requests_seen = by(samples["syncd_http_requests_total"], "vendor", "method", "endpoint")
    for vendor in VENDORS:
        served = dict(sandbox.counters(vendor)["requests"])  # the OAuth token request included
        ours = {f"{m} {e}": n for (v, m, e), n in requests_seen.items() if v == vendor}
        assert ours == served, vendor
    errors = by(samples["syncd_http_errors_total"], "vendor", "endpoint", "kind")
    assert errors == {("hudu", "/api/v1/articles", "5xx"): 2}
    runs = by(samples["syncd_job_runs_total"], "job", "status")
    assert runs[("poll:hudu.articles", "failed")] == 1
    assert runs[("poll:connectwise.tickets", "ok")] == 1
    polled = by(samples["syncd_poll_records_total"], "source")
    last_run = rt.ctx.state.last_runs("poll:connectwise.tickets", 1)[0]
    assert polled[("connectwise.tickets",)] == last_run.stats["records"]  # tickets and their notes
    assert set(by(samples["syncd_ratelimit_capacity_tokens"], "vendor")) == {(v,) for v in VENDORS}


def test_stream_lag_follows_the_clock(serving: tuple[Runtime, MetricsServer], sandbox: Sandbox) -> None:
    rt, server = serving
    run_once(rt, poll_ids(rt))
    lag = by(scrape(server)["syncd_stream_lag_seconds"], "source")
    assert len(lag) == len(poll_ids(rt))
    assert set(lag.values()) == {0.0}
    sandbox.clock.advance(600)
    samples = scrape(server)
    assert set(by(samples["syncd_stream_lag_seconds"], "source").values()) == {600.0}
    last = by(samples["syncd_stream_last_success_timestamp_seconds"], "source")
    assert last[("hudu.assets",)] == sandbox.clock.now().timestamp() - 600


def test_readyz_before_and_after_the_first_poll_and_when_late(
        serving: tuple[Runtime, MetricsServer], sandbox: Sandbox) -> None:
    rt, server = serving

    def get(path: str) -> requests.Response:
        return requests.get(server.url + path, timeout=5)

    assert get("/healthz").status_code == 200
    before = get("/readyz")
    assert before.status_code == 503
    assert {item["source"] for item in before.json()["late"]} == {j.removeprefix("poll:") for j in poll_ids(rt)}
    run_once(rt, poll_ids(rt))
    after = get("/readyz")
    assert after.status_code == 200, after.text
    assert after.json()["late"] == []
    sandbox.clock.advance(16 * 60)  # past 3 x the 5-minute poll interval of the ticket stream
    late = get("/readyz")
    assert late.status_code == 503
    tickets = next(item for item in late.json()["late"] if item["source"] == "connectwise.tickets")
    assert (tickets["lag_s"], tickets["allowed_lag_s"]) == (960, 900)
    assert get("/nope").status_code == 404


def test_readyz_names_a_connector_whose_credentials_were_rejected(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = sandbox_settings(sandbox, tmp_path, secrets={"SYNCD_HUDU__API_KEY": "wrong-key"})
    with sandbox_runtime(settings, sandbox, monkeypatch) as rt, \
            serve_metrics(rt, MetricsSettings(enabled=True, port=0)) as server:
        assert server is not None
        run_once(rt, poll_ids(rt))
        answer = requests.get(server.url + "/readyz", timeout=5)
        assert answer.status_code == 503
        body = json.loads(answer.text)
        assert [item["connector"] for item in body["auth_rejected"]] == ["hudu"]
        assert body["late"] == []  # the other connectors are fine; hudu's sources are not repeated
        assert by(scrape(server)["syncd_connector_auth_rejected"], "connector") == {
            ("connectwise",): 0.0, ("ninjaone",): 0.0, ("hudu",): 1.0}


def test_disabled_metrics_serve_nothing(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = sandbox_settings(sandbox, tmp_path)
    with sandbox_runtime(settings, sandbox, monkeypatch) as rt:
        jobs = list(rt.jobs)
        with serve_metrics(rt, MetricsSettings()) as server:
            assert server is None
            assert rt.jobs == jobs


def test_install_feeds_on_every_request_and_retry_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    from syncd.connectors import common

    monkeypatch.setattr(common, "RETRY_OBSERVERS", [])  # a fresh list: no hook left by another test counts here
    metrics = SyncdMetrics()
    metrics.install()
    try:
        common.observe("hudu", "GET", "/api/v1/assets/9", 200, 0.1)
        for hook in common.RETRY_OBSERVERS:
            hook("hudu", 3.0)
    finally:
        metrics.uninstall()
    common.observe("hudu", "GET", "/api/v1/assets/9", 200, 0.1)  # after uninstall: not counted
    value = metrics.registry.get_sample_value
    labels = {"vendor": "hudu", "method": "GET", "endpoint": "/api/v1/assets/{id}"}
    assert value("syncd_http_requests_total", labels) == 1
    assert value("syncd_http_retry_wait_seconds_total", {"vendor": "hudu"}) == 3.0
    assert common.RETRY_OBSERVERS == []


def test_a_taken_port_is_a_config_error(serving: tuple[Runtime, MetricsServer]) -> None:
    from syncd.errors import ConfigError

    rt, server = serving
    with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{server.port}"):
        MetricsServer(rt.ctx, SyncdMetrics(), MetricsSettings(enabled=True, port=server.port))


def test_open_findings_are_counted_per_rule_and_severity(serving: tuple[Runtime, MetricsServer]) -> None:
    rt, server = serving
    now = rt.ctx.clock.now()
    for n, (rule, severity) in enumerate([("sla-response-breached", "critical")] * 2
                                         + [("closed-without-time-entry", "warning")]):
        rt.ctx.state.upsert_finding(rule_id=rule, subject=f"connectwise.tickets:{n}", severity=severity,
                                    summary="s", at=now)
    rt.ctx.state.resolve_findings_not_in("closed-without-time-entry", [], now)
    gauge = by(scrape(server)["syncd_findings_open"], "rule", "severity")
    assert gauge == {("sla-response-breached", "critical"): 2.0}
