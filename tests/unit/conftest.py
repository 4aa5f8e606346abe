import json
import os

import pytest

from ansible_collections.keyfactor.command.plugins.module_utils._client import KeyfactorClient
from ansible_collections.keyfactor.command.plugins.module_utils._connection import (
    ConnectionSettings,
)
from ansible_collections.keyfactor.command.plugins.module_utils._http import Transport

from http_server import ScriptedServer

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")


@pytest.fixture
def server():
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


@pytest.fixture
def settings(server):
    return ConnectionSettings.from_params(dict(
        url=server.url, api_path="KeyfactorAPI", username="KEYFACTOR\\svc-ansible",
        password="Pässw0rd-not-for-output", domain=None, validate_certs=True, ca_path=None,
        timeout=2,
    ), environ={})


@pytest.fixture
def traces():
    return []


@pytest.fixture
def client(settings, traces):
    return KeyfactorClient(fast_transport(settings, trace=traces.append))


def fast_transport(settings, trace=None):
    """A Transport whose retry waits are short, so retry tests run quickly."""
    return Transport(settings, trace=trace, backoff_factor=0.01, backoff_jitter=0)


@pytest.fixture(scope="session")
def recorded():
    """The real Command 25.4.1 interactions (see fixtures/command-25.4.1.SOURCE.txt)."""
    with open(os.path.join(FIXTURES, "command-25.4.1.json")) as handle:
        return json.load(handle)
