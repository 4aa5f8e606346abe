import pytest

from harness import Simulator


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    sim = Simulator(str(tmp_path_factory.mktemp("simulator")))
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator):
    """The shared simulator, back at its seed state, with an empty request log."""
    simulator.reset()
    simulator.clear_requests()
    yield simulator
    errors = [(entry["method"], entry["path"], entry["contract_errors"])
              for entry in simulator.requests() if entry.get("contract_errors")]
    assert errors == [], "requests or responses broke the vendor schemas"
