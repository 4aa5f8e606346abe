import pytest

from harness import Simulator, checked


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    sim = Simulator(str(tmp_path_factory.mktemp("simulator")))
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator):
    """The shared simulator, back at its seed state, with an empty request log."""
    yield from checked(simulator)
