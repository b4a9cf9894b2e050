"""The fake Slack behaves like Slack where the adapter relies on it."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack.fake_slack import FakeSlack


async def test_auth_test_answers_with_the_bot_identity(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    resp = await web_client.auth_test()
    assert resp["user_id"] == fake_slack.bot_user_id
    assert fake_slack.calls_to("auth.test")[0].token == fake_slack.bot_token


async def test_wrong_token_is_refused(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-wrong", base_url=fake_slack.base_url)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response["error"] == "invalid_auth"


async def test_ratelimit_is_scripted_with_retry_after(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.ratelimit_next("chat.postEphemeral", retry_after=3)
    with pytest.raises(SlackApiError) as err:
        await web_client.chat_postEphemeral(channel="C1", user="U1", text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "3"
    ok = await web_client.chat_postEphemeral(channel="C1", user="U1", text="hi")
    assert ok["ok"]


async def test_server_error_surfaces_as_an_api_error(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.server_error_next("chat.postMessage", status=503)
    with pytest.raises(SlackApiError) as err:
        await web_client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 503


async def test_usergroup_members_and_unknown_method(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.usergroups["S1"] = ["U1", "U2"]
    resp = await web_client.usergroups_users_list(usergroup="S1")
    assert resp["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as err:
        await web_client.api_call("chat.postEphemeralz", json={"channel": "C1"})
    assert err.value.response["error"] == "unknown_method"
