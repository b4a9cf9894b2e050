"""Nudges and alerts go out privately, with Slack's failures mapped for the outbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from nudgeguard import (
    Delivery,
    ModeratorNotice,
    Nudge,
    NudgeAction,
    NudgeButton,
    TransientDeliveryError,
    UndeliverableError,
    child_helpline,
)
from nudgeguard.engine import Engine
from nudgeguard.policy import load_policy
from nudgeguard_slack import SlackAdapter
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.test_slack_blocks import make_alert


@pytest.fixture
async def adapter(fake_slack: FakeSlack) -> AsyncIterator[SlackAdapter]:
    adapter = make_adapter(fake_slack)
    await adapter.refresh_identity()
    yield adapter


def nudge(conversation: str = "C0GENERAL", **kw: object) -> Nudge:
    base: dict[str, object] = dict(
        nudge_id="n1",
        audience="child",
        recipient_id="U0KID",
        platform="slack",
        community_id="T0TEAM",
        conversation_id=conversation,
        delivery=(Delivery.EPHEMERAL, Delivery.DIRECT_MESSAGE),
        text="Someone asked you to keep a secret. That's worth a second thought.",
        buttons=(NudgeButton(action=NudgeAction.IM_OK, label="I'm OK"),),
        family="secrecy",
    )
    base.update(kw)
    return Nudge.model_validate(base)


async def test_ephemeral_nudge_lands_in_the_thread_where_it_happened(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    used = await adapter.send_nudge(nudge("C0GENERAL/1700000101.000200"))
    assert used is Delivery.EPHEMERAL
    (call,) = fake_slack.calls_to("chat.postEphemeral")
    assert (call.get("channel"), call.get("user"), call.get("thread_ts")) == (
        "C0GENERAL",
        "U0KID",
        "1700000101.000200",
    )
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_ephemeral_failure_falls_back_to_a_dm(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    fake_slack.fail_next("chat.postEphemeral", "user_not_in_channel")
    used = await adapter.send_nudge(nudge())
    assert used is Delivery.DIRECT_MESSAGE
    (opened,) = fake_slack.calls_to("conversations.open")
    assert opened.get("users") == "U0KID"
    (posted,) = fake_slack.calls_to("chat.postMessage")
    assert posted.get("channel").startswith("D")
    assert "second thought" in posted.get("text")


async def test_dm_only_when_the_policy_allows_only_dm(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    used = await adapter.send_nudge(nudge(delivery=(Delivery.DIRECT_MESSAGE,)))
    assert used is Delivery.DIRECT_MESSAGE
    assert fake_slack.calls_to("chat.postEphemeral") == []


async def test_no_private_way_left_is_undeliverable_and_never_public(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    fake_slack.fail_next("chat.postEphemeral", "channel_not_found")
    fake_slack.fail_next("conversations.open", "user_disabled")
    with pytest.raises(UndeliverableError) as err:
        await adapter.send_nudge(nudge())
    assert "U0KID" not in str(err.value)
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_rate_limit_is_transient_with_retry_after(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    fake_slack.ratelimit_next("chat.postEphemeral", retry_after=7)
    with pytest.raises(TransientDeliveryError) as err:
        await adapter.send_nudge(nudge())
    assert err.value.retry_after == 7
    assert fake_slack.calls_to("chat.postMessage") == []  # no DM instead of waiting
    assert await adapter.send_nudge(nudge()) is Delivery.EPHEMERAL


async def test_server_error_is_transient(fake_slack: FakeSlack, adapter: SlackAdapter) -> None:
    fake_slack.server_error_next("chat.postMessage", status=502)
    with pytest.raises(TransientDeliveryError):
        await adapter.send_alert(make_alert())


async def test_alert_posts_to_the_moderator_channel_then_updates_in_place(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    ref = await adapter.send_alert(make_alert())
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert post.get("channel") == "C0MODS"
    assert ref is not None and ref.startswith("C0MODS/")
    assert "asked you to keep a secret" not in json.dumps(
        post.params
    )  # alerts never carry message text
    # The outbox hands back the reference it stored; the adapter remembers no posts.
    again = await adapter.send_alert(
        make_alert(is_update=True, status="acknowledged", post_ref=ref)
    )
    assert again == ref
    (update,) = fake_slack.calls_to("chat.update")
    assert update.get("ts") == ref.split("/")[1]
    assert "Acknowledged" in json.dumps(update.get("blocks"))


async def test_alert_without_moderator_channel_is_undeliverable(fake_slack: FakeSlack) -> None:
    adapter = make_adapter(fake_slack, moderator_channel=None)
    with pytest.raises(UndeliverableError, match="moderator_channel"):
        await adapter.send_alert(make_alert())


async def test_refused_alert_is_undeliverable(fake_slack: FakeSlack, adapter: SlackAdapter) -> None:
    fake_slack.fail_next("chat.postMessage", "not_in_channel")
    with pytest.raises(UndeliverableError, match="not_in_channel"):
        await adapter.send_alert(make_alert())


async def test_bad_token_is_a_clear_start_error_without_the_token(fake_slack: FakeSlack) -> None:
    adapter = make_adapter(fake_slack)
    fake_slack.bot_token = "xoxb-other"  # Slack no longer accepts the adapter's token
    with pytest.raises(ValueError, match="invalid_auth") as err:
        await adapter.refresh_identity()
    assert "xoxb" not in str(err.value)


async def test_the_configured_helpline_country_is_handed_to_the_core(fake_slack: FakeSlack) -> None:
    adapter = make_adapter(fake_slack, helpline_country="CA")
    assert adapter.helpline_countries() == {"*": "CA"}
    engine = Engine(load_policy("default"), adapters=[adapter])
    assert engine.countries.choose("slack", "T0TEAM") == ("CA", "community")
    # The adapter renders the buttons the core chose; it never swaps the helpline itself.
    buttons = (
        NudgeButton(action=NudgeAction.TALK_TO_SOMEONE, label="Talk to someone"),
        NudgeButton(action=NudgeAction.HELPLINE, label="Helpline", url="https://ca.example"),
    )
    await adapter.send_nudge(
        nudge(buttons=buttons).model_copy(update={"country": "CA", "country_source": "community"})
    )
    (call,) = fake_slack.calls_to("chat.postEphemeral")
    assert call.get("blocks")[1]["elements"][1]["url"] == "https://ca.example"


async def test_a_childs_slack_region_picks_the_helpline_when_nothing_is_configured(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    fake_slack.locales["U0KID"] = "pt-BR"
    buttons = (
        NudgeButton(action=NudgeAction.HELPLINE, label="Helpline", url="https://gb.example"),
    )
    # The core chose the default country (nothing configured): the region outranks it.
    await adapter.send_nudge(
        nudge(buttons=buttons, recipient_id="U0KID", country="GB", country_source="default")
    )
    (call,) = fake_slack.calls_to("chat.postEphemeral")
    assert call.get("blocks")[1]["elements"][0]["url"] == child_helpline("BR", "pt").url


async def test_a_gone_alert_post_is_posted_again(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    fake_slack.fail_next("chat.update", "message_not_found")
    ref = await adapter.send_alert(make_alert(is_update=True, post_ref="C0MODS/1700000000.000100"))
    assert ref is not None and ref != "C0MODS/1700000000.000100"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_a_notice_is_posted_to_the_moderator_channel_as_worded(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    notice = ModeratorNotice(
        notice_id="notice:abc",
        platform="slack",
        community_id="T0TEAM",
        conversation_id="C0GENERAL",
        ts=1_700_000_000,
        reporter="p5eud0nym123",
        title="A child pressed Report",
        lines=("No case is open.", "Where: conversation C0GENERAL"),
    )
    ref = await adapter.send_notice(notice)
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert post.get("channel") == "C0MODS" and ref is not None and ref.startswith("C0MODS/")
    dumped = json.dumps(post.get("blocks"))
    assert "A child pressed Report" in dumped and "C0GENERAL" in dumped
    assert "actions" not in dumped, "a notice has no case buttons"


async def test_forget_user_drops_cached_memberships(fake_slack: FakeSlack) -> None:
    adapter = make_adapter(fake_slack)
    fake_slack.usergroups["S0MODS"] = ["U0MOD"]
    assert await adapter.is_moderator("U0MOD")
    assert await adapter.is_moderator("U0MOD")
    asked = len(fake_slack.calls_to("usergroups.users.list"))
    assert asked == 1, "the membership is cached"
    adapter.forget_user("U0MOD")  # the engine's erasure calls this
    assert await adapter.is_moderator("U0MOD")
    assert len(fake_slack.calls_to("usergroups.users.list")) == 2, "the cache named them"


async def test_after_a_restart_an_update_edits_the_earlier_alert_instead_of_posting_again(
    fake_slack: FakeSlack,
) -> None:
    before = make_adapter(fake_slack)
    await before.refresh_identity()
    ref = await before.send_alert(make_alert())
    after = make_adapter(fake_slack)  # a new process: nothing remembered
    await after.refresh_identity()
    update = make_alert(is_update=True, status="acknowledged", post_ref=ref)
    again = await after.send_alert(update)
    assert again == ref
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    (update,) = fake_slack.calls_to("chat.update")
    assert update.get("ts") == ref.split("/")[1]


async def test_an_update_whose_alert_is_gone_from_the_channel_posts_anew(
    fake_slack: FakeSlack, adapter: SlackAdapter
) -> None:
    ref = await adapter.send_alert(make_alert(is_update=True, status="acknowledged"))
    assert ref is not None
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("chat.update") == []
