"""Fixtures: a seeded store and a console client on it (SQLite by default)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.console import create_app

from .world import PASSWORD, World, seed

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """Return the first CSRF token in a page."""
    found = CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the form; return the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": name, "password": password})
    assert r.status_code == 200 and "Case queue" in r.text, r.text[:300]
    return csrf_of(r.text)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "k" * 32)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "cases.sqlite3"


@pytest.fixture
def world(store_path: Path) -> World:
    async def go() -> World:
        store = SqliteCaseStore(store_path)
        try:
            return await seed(store)
        finally:
            await store.close()

    return asyncio.run(go())


@pytest.fixture
def client_for(store_path: Path, world: World) -> Iterator[Callable[..., TestClient]]:
    """Make console clients (each its own cookie jar) on one running console."""
    app = create_app(lambda: SqliteCaseStore(store_path), secure_cookies=False)
    with TestClient(app) as first:
        made = [first]

        def make() -> TestClient:
            if made:
                return made.pop()
            return TestClient(app)  # the first client's lifespan keeps the store open

        yield make


@pytest.fixture
def client(client_for: Callable[..., TestClient]) -> TestClient:
    return client_for()


def read(store_path: Path, fn):  # type: ignore[no-untyped-def]
    """Run ``fn(store)`` on a fresh store connection and return its result."""

    async def go():  # type: ignore[no-untyped-def]
        store = SqliteCaseStore(store_path)
        try:
            return await fn(store)
        finally:
            await store.close()

    return asyncio.run(go())
