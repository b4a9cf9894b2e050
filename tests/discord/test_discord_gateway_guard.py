"""The parser guard, as a host bot that loads nudgeguard as an extension would use it."""

from __future__ import annotations

import logging

import pytest

import discord
from nudgeguard_discord.gateway_guard import guard_parsers


def _parsers(client: discord.Client) -> dict:
    return client._connection.parsers  # the map the gateway dispatches through


def test_an_unguarded_parser_raises_and_a_guarded_one_drops_the_payload(caplog) -> None:
    client = discord.Client(intents=discord.Intents.none())
    damaged = {"id": "1", "channel_id": "2", "components": 0.5, "content": "secret words"}
    with pytest.raises(Exception):  # noqa: B017 - whatever discord.py raises, it escapes
        _parsers(client)["MESSAGE_CREATE"](damaged)
    dropped: list[tuple[str, str]] = []
    assert guard_parsers(client, lambda event, exc: dropped.append((event, type(exc).__name__)))
    with caplog.at_level(logging.WARNING):
        _parsers(client)["MESSAGE_CREATE"](damaged)
    assert [event for event, _ in dropped] == ["MESSAGE_CREATE"]
    assert "MESSAGE_CREATE" in caplog.text and "secret words" not in caplog.text


def test_guarding_twice_wraps_once_and_keeps_every_event() -> None:
    client = discord.Client(intents=discord.Intents.none())
    events = set(_parsers(client))
    assert guard_parsers(client) and guard_parsers(client)
    assert set(_parsers(client)) == events
    assert all(not hasattr(p.__wrapped__, "__wrapped__") for p in _parsers(client).values())


def test_a_client_without_reachable_parsers_is_left_alone(caplog) -> None:
    class Odd:
        pass

    with caplog.at_level(logging.WARNING):
        assert guard_parsers(Odd()) is False  # type: ignore[arg-type]
    assert "cannot guard" in caplog.text
