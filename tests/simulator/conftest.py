"""Fixtures: one in-process simulator on a free loopback port, reset before every test."""

from __future__ import annotations

import pytest
from kfsim_testlib import DEMO_STORES, Client, start_server


@pytest.fixture(scope="session")
def sim_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("kfsim"))
    yield server
    server.stop()


@pytest.fixture
def sim(sim_server) -> Client:
    client = Client(sim_server)
    assert client.control("POST", "/reset").status_code == 200
    return client


@pytest.fixture
def stores():
    return DEMO_STORES
