"""Adapters are bound to the declared engine handle, which the engine provides."""

from nudgeguard import EngineHandle
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter


def test_the_engine_provides_every_call_of_the_handle() -> None:
    engine = Engine(load_policy("default"))
    assert isinstance(engine, EngineHandle)
    for name in ("submit", "submit_later", "drain"):
        assert callable(getattr(engine.inbox, name))


def test_an_adapter_is_bound_to_the_handle_it_is_given() -> None:
    engine = Engine(load_policy("default"))
    adapter = FakeAdapter()
    engine.add_adapter(adapter)
    handle: EngineHandle = adapter.engine
    assert handle is engine


def test_an_object_missing_a_call_is_not_a_handle() -> None:
    class Partial:
        async def handle(self, event: object) -> None:
            return None

    assert not isinstance(Partial(), EngineHandle)
