"""Fault and load tests: a broken model refuses to serve, a killed worker is replaced, and a
short load on loopback sees no errors (bounded in count and time; no latency assertions)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from classifier.model import ARTIFACT_NAME

from .test_api_server import ROOT, Server

pytestmark = pytest.mark.slow
TEXT = (ROOT / "seeds" / "sensational.txt").read_text(encoding="utf-8")


def _broken(tiny_model_dir, tmp_path, how):
    target = tmp_path / how
    shutil.copytree(tiny_model_dir, target)
    artifact = target / ARTIFACT_NAME
    if how == "missing":
        artifact.unlink()
    elif how == "truncated":
        artifact.write_bytes(artifact.read_bytes()[: artifact.stat().st_size // 2])
    elif how == "tampered":
        data = bytearray(artifact.read_bytes())
        data[100] ^= 1
        artifact.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("how, message", [("missing", "no model at"),
                                          ("truncated", "does not match"),
                                          ("tampered", "does not match")])
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["analyze", "-"]])
def test_broken_model_refuses_to_start(tiny_model_dir, tmp_path, how, message, command):
    model = _broken(tiny_model_dir, tmp_path, how)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLANT_")}
    completed = subprocess.run(
        [sys.executable, "-m", "classifier.cli", *command, "--model", str(model)],
        input="Some text.", capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )
    assert completed.returncode == 1
    assert message in completed.stderr and "Traceback" not in completed.stderr


@pytest.fixture
def server(tiny_model_dir, tmp_path):
    server = Server(tiny_model_dir, tmp_path / "server.log")
    server.wait_ready()
    yield server
    if server.process.poll() is None:
        server.terminate()


def _load(server, requests: int, concurrency: int, stop: threading.Event | None = None):
    """Send ``requests`` POSTs from ``concurrency`` threads; return (statuses, exceptions)."""
    statuses, failures = [], []
    body = json.dumps({"text": TEXT}).encode()

    def one(_):
        if stop is not None and stop.is_set():
            return
        try:
            status, _, _ = server.request("POST", "/v1/analyze", body,
                                          {"Content-Type": "application/json"}, timeout=60)
            statuses.append(status)
        except (OSError, http.client.HTTPException) as exc:  # reset, refused, cut short
            failures.append(repr(exc))

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    return statuses, failures


def test_short_load_has_no_errors(server):
    statuses, failures = _load(server, requests=2000, concurrency=8)
    assert failures == []
    assert statuses.count(200) == 2000


def _workers(master_pid: int) -> list[int]:
    import psutil

    return sorted(child.pid for child in psutil.Process(master_pid).children())


def _wait_for_workers(master_pid: int, count: int, exclude: int | None = None) -> list[int]:
    """Worker pids once ``count`` are up (ready means one answers, not all of them)."""
    deadline = time.monotonic() + 60
    workers = _workers(master_pid)
    while time.monotonic() < deadline and (len(workers) != count or exclude in workers):
        time.sleep(0.2)
        workers = _workers(master_pid)
    return workers


def test_killed_worker_is_replaced_and_only_in_flight_requests_fail(server):
    pytest.importorskip("psutil")
    before = _wait_for_workers(server.process.pid, 2)
    assert len(before) == 2
    results = {}

    def run_load():
        results["statuses"], results["failures"] = _load(server, requests=600, concurrency=8)

    loader = threading.Thread(target=run_load)
    loader.start()
    time.sleep(1.0)
    os.kill(before[0], signal.SIGKILL)
    loader.join(timeout=300)
    # At most the requests that worker was serving (one per client thread) can be lost.
    assert len(results["failures"]) <= 8
    assert all(status == 200 for status in results["statuses"])
    assert len(results["statuses"]) + len(results["failures"]) == 600
    after = _wait_for_workers(server.process.pid, 2, exclude=before[0])
    assert len(after) == 2 and before[0] not in after
    assert server.request("GET", "/readyz")[0] == 200
    assert server.terminate() == 0


def test_request_cannot_choose_a_model_file(server):
    status, body = server.post_json("/v1/analyze", {"text": "Hello there.",
                                                    "options": {"model": "/etc/passwd"}})
    assert status == 422 and body["error"]["code"] == "unknown_field"
    status, body = server.post_json("/v1/analyze", {"text": "Hello there.",
                                                    "model": "/etc/passwd"})
    assert status == 422
    # The one route that serves files keeps to its folder, however the path is spelled
    # (sent as is: http.client does not normalise it).
    for path in ("/docs/static/../../setup.cfg", "/docs/static/%2e%2e/%2e%2e/setup.cfg",
                 "/docs/static/..%2f..%2fsetup.cfg", "/docs/static/%2Fetc%2Fpasswd",
                 "/docs/static//etc/passwd"):
        status, headers, data = server.request("GET", path)
        if status == 308:  # werkzeug merges the double slash; follow it
            status, _, data = server.request("GET", urlsplit(headers["Location"]).path)
        assert status == 404 and json.loads(data)["error"]["code"] == "not_found", path


def test_debug_is_off_by_default(tiny_model_dir, monkeypatch):
    from api import create_app

    for key in [k for k in os.environ if k.startswith(("SLANT_", "FLASK_"))]:
        monkeypatch.delenv(key)
    app = create_app({"MODEL": str(tiny_model_dir)})
    assert app.debug is False and app.config["PROPAGATE_EXCEPTIONS"] is not True
