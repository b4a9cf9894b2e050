"""Fixtures for the Slack adapter tests: a fake Slack Web API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard_slack import SlackAdapter, SlackSecrets, SlackSettings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SIGNING_SECRET, SlackSender
from tests.slack.recording_engine import RecordingEngine


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def web_client(fake_slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url)
    yield client


@dataclass
class HttpSetup:
    fake: FakeSlack
    adapter: SlackAdapter
    engine: RecordingEngine
    slack: SlackSender


def make_adapter(fake: FakeSlack, **settings: object) -> SlackAdapter:
    """A SlackAdapter pointed at the fake, with test secrets."""
    base: dict[str, object] = {
        "mode": "http",
        "host": "127.0.0.1",
        "port": 0,
        "api_base_url": fake.base_url,
        "moderator_channel": "C0MODS",
        "moderator_usergroup": "S0MODS",
    }
    base.update(settings)
    secrets = SlackSecrets(
        bot_token=SecretStr(fake.bot_token),
        app_token=SecretStr(fake.app_token),
        signing_secret=SecretStr(SIGNING_SECRET),
    )
    return SlackAdapter(SlackSettings.model_validate(base), secrets)


@pytest.fixture
async def http_setup(fake_slack: FakeSlack) -> AsyncIterator[HttpSetup]:
    fake_slack.usergroups["S0MODS"] = ["U0MOD"]
    adapter = make_adapter(fake_slack)
    engine = RecordingEngine()
    adapter.bind(engine)  # type: ignore[arg-type]
    await adapter.start()
    url = f"http://127.0.0.1:{adapter.http_port}/slack/events"
    try:
        yield HttpSetup(fake_slack, adapter, engine, SlackSender(url))
    finally:
        await adapter.stop()
