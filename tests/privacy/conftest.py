"""Privacy fixtures."""

from pathlib import Path

import pytest

from ..cases.conftest import store_spec  # noqa: F401 - an SQLite file or a PostgreSQL schema
from ..cases.helpers import KEY
from .helpers import make_store


@pytest.fixture
async def store_path(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", KEY.decode())
    path = tmp_path / "cases.sqlite3"
    await make_store(path)
    return path
