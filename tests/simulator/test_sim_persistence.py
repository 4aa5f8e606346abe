"""State survives a restart; --fresh reseeds; the CLI prints where it listens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from kfsim.state import StateFileError
from kfsim_testlib import DEMO_TP, PASSWORDS, ROOT, Client, start_server, ts, wait_for


def test_jobs_users_behaviours_and_config_survive_restart(tmp_path, stores):
    first = Client(start_server(tmp_path))
    first.config(pickup_delay=25, enum_format="ints")  # pickup 0.5 s after the request
    (job,) = first.remove([(stores["k8s"], DEMO_TP)]).json()
    first.behaviour(stores["jks"], "failure", message="persisted")
    first.control(
        "POST",
        "/users",
        json={
            "username": "KEYFACTOR\\later",
            "password": "pw",
            "permissions": ["/certificate_stores/read/"],
        },
    )
    first.server.stop()
    saved = json.loads((tmp_path / "state.json").read_text())
    assert [(j["Id"], j["Phase"]) for j in saved["jobs"]] == [(job, "waiting")]
    pickup_due = saved["jobs"][0]["PhaseSince"] + 0.5
    wait_for(lambda: time.time() > pickup_due + 0.2, what="the pickup to fall due while down")

    second = Client(start_server(tmp_path, fresh=False, time_scale=None))
    try:
        assert second.control("GET", "/config").json()["enum_format"] == "ints"
        rows = wait_for(
            lambda: [r for r in second.history(job) if r["Status"] == 3], what="resumed job"
        )
        started = ts(second.history(job)[0]["OperationStart"]).timestamp()
        assert abs(started - pickup_due) < 0.05  # the row carries the due time, not restart time
        assert rows[0]["Result"] == 2
        (failing,) = second.remove([(stores["jks"], "app-cert")]).json()
        final = wait_for(
            lambda: [r for r in second.history(failing) if r["Status"] == 3], what="behaviour"
        )
        assert final[0]["Message"] == "persisted"
        headers = {
            "Authorization": "Basic "
            + __import__("base64").b64encode(b"KEYFACTOR\\later:pw").decode(),
            "x-keyfactor-requested-with": "APIClient",
        }
        assert (
            requests.get(
                second.api_url + "/CertificateStores", headers=headers, timeout=10
            ).status_code
            == 200
        )
    finally:
        second.server.stop()

    third = Client(start_server(tmp_path, fresh=True))
    try:
        assert third.control("GET", "/state").json()["jobs"] == []
        assert third.control("GET", "/config").json()["enum_format"] == "names"
    finally:
        third.server.stop()


def test_unreadable_state_file_is_refused(tmp_path):
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises(StateFileError):
        start_server(tmp_path, fresh=False)


def test_state_file_is_written_atomically(tmp_path):
    server = start_server(tmp_path)
    try:
        Client(server).config(run_duration=7)
        assert json.loads((tmp_path / "state.json").read_text())["config"]["run_duration"] == 7
        assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    finally:
        server.stop()


def test_cli_serve_ready_file_and_banner(tmp_path):
    ready = tmp_path / "ready.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "simulator")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kfsim",
            "serve",
            "--port",
            "0",
            "--ready-file",
            str(ready),
            "--state-file",
            str(tmp_path / "s" / "state.json"),
            "--time-scale",
            "0.02",
            "--fresh",
            "--api-path",
            "Keyfactor/API",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(ready.exists, timeout=20, what="ready file")
        info = json.loads(ready.read_text())
        assert info["api_path"] == "Keyfactor/API" and info["pid"] == proc.pid
        assert info["url"].startswith("http://127.0.0.1:")
        resp = requests.get(
            info["url"] + "/Keyfactor/API/CertificateStores",
            auth=("KEYFACTOR\\demo", PASSWORDS["demo"]),
            headers={"x-keyfactor-requested-with": "APIClient"},
            timeout=10,
        )
        assert resp.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Keyfactor Command simulator listening on {info['url']}/Keyfactor/API"
    assert lines[1] == f"Demo credentials: KEYFACTOR\\demo / {PASSWORDS['demo']}"
    assert (tmp_path / "s" / "state.json").exists()
