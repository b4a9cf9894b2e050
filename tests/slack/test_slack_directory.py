"""Moderator and age groups come from Slack user groups, cached briefly."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard import AgeBand, AgeSource
from nudgeguard_slack.directory import AgeDirectory, GroupDirectory, GroupLookupError
from nudgeguard_slack.settings import AgeSelector
from tests.slack.fake_slack import FakeSlack


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_handle_is_resolved_and_members_are_cached(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.usergroup_handles["safety-team"] = "S0MODS"
    fake_slack.usergroups["S0MODS"] = ["U0MOD"]
    clock = Clock()
    groups = GroupDirectory(web_client, ttl=60, clock=clock)
    assert await groups.is_member("safety-team", "U0MOD")
    assert not await groups.is_member("safety-team", "U0ADULT")
    assert len(fake_slack.calls_to("usergroups.users.list")) == 1

    fake_slack.usergroups["S0MODS"] = ["U0MOD", "U0NEWMOD"]
    assert not await groups.is_member("safety-team", "U0NEWMOD")  # still cached
    clock.now = 61
    assert await groups.is_member("safety-team", "U0NEWMOD")  # refreshed


async def test_failed_lookup_uses_the_last_answer_or_fails_closed(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.usergroups["S0MODS"] = ["U0MOD"]
    clock = Clock()
    groups = GroupDirectory(web_client, ttl=10, clock=clock)
    fake_slack.ratelimit_next("usergroups.users.list")
    with pytest.raises(GroupLookupError):
        await groups.members("S0MODS")
    assert await groups.is_member("S0MODS", "U0MOD")
    clock.now = 11
    fake_slack.server_error_next("usergroups.users.list")
    assert await groups.is_member("S0MODS", "U0MOD")  # stale but known


async def test_unknown_handle_is_a_lookup_error(web_client: AsyncWebClient) -> None:
    groups = GroupDirectory(web_client)
    with pytest.raises(GroupLookupError):
        await groups.members("nobody-here")


async def test_age_bands_from_groups_and_user_lists(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.usergroup_handles["students"] = "S0KIDS"
    fake_slack.usergroups["S0KIDS"] = ["U0KID", "U0BOTH"]
    ages = AgeDirectory(
        GroupDirectory(web_client),
        {
            "minor": AgeSelector(groups=("students",)),
            "adult": AgeSelector(users=("U0ADULT", "U0BOTH")),
        },
    )
    assert ages.lookup("U0KID") == (AgeBand.UNKNOWN, AgeSource.NONE)  # not refreshed yet
    await ages.refresh()
    assert ages.lookup("U0KID") == (AgeBand.MINOR, AgeSource.CONFIG)
    assert ages.lookup("U0ADULT") == (AgeBand.ADULT, AgeSource.CONFIG)
    assert ages.lookup("U0BOTH") == (AgeBand.MINOR, AgeSource.CONFIG)  # safer side wins
    assert ages.lookup("U0OTHER") == (AgeBand.UNKNOWN, AgeSource.NONE)
