"""The engine-level fixtures of tests/core (a started engine with a FakeAdapter, a chat)."""

from ..core.conftest import adapter, chat, engine  # noqa: F401 - fixtures
