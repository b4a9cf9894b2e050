"""Recorded Events API payloads become the MessageEvents the engine expects."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nudgeguard import AgeBand, AgeSource, ConversationKind, EventType
from nudgeguard_slack.translate import (
    Identity,
    plain_text,
    split_conversation_id,
    translate_event,
)
from tests.slack.payloads import load

ME = Identity(
    bot_user_id="U0BOT", bot_id="B0BOT", team_id="T0TEAM", workspace_url="https://ws.slack.test/"
)


def ages(user: str) -> tuple[AgeBand, AgeSource]:
    if user == "U0KID":
        return AgeBand.MINOR, AgeSource.CONFIG
    return AgeBand.UNKNOWN, AgeSource.NONE


def tr(body: dict[str, Any]):
    return translate_event(body, identity=ME, age_of=ages)


def test_public_channel_message_with_mention() -> None:
    ev = tr(load("channel_message"))
    assert ev is not None
    assert ev.type is EventType.MESSAGE
    assert (ev.platform, ev.community_id, ev.conversation_id) == ("slack", "T0TEAM", "C0GENERAL")
    assert ev.conversation_kind is ConversationKind.GROUP
    assert ev.message_id == "1700000101.000200"
    assert ev.author.id == "U0ADULT"
    assert ev.mentions == ("U0KID",)
    # markup is turned into what a reader sees, ids stay out of the text
    assert ev.text == "hey @someone nice build & cool skin"
    assert ev.ts == pytest.approx(1700000101.0002)
    assert ev.permalink == "https://ws.slack.test/archives/C0GENERAL/p1700000101000200"


def test_private_channel_dm_and_group_dm_kinds() -> None:
    private, dm, group_dm = (
        tr(load(n)) for n in ("private_channel_message", "im_message", "mpim_message")
    )
    assert private is not None and private.conversation_kind is ConversationKind.GROUP
    assert dm is not None and dm.conversation_kind is ConversationKind.DIRECT
    assert dm.conversation_id == "D0DM"
    assert group_dm is not None and group_dm.conversation_kind is ConversationKind.GROUP
    assert group_dm.author.age_band is AgeBand.MINOR
    assert group_dm.author.age_source is AgeSource.CONFIG


def test_thread_reply_is_its_own_conversation_under_the_channel() -> None:
    ev = tr(load("thread_reply"))
    assert ev is not None
    assert ev.conversation_kind is ConversationKind.THREAD
    assert ev.conversation_id == "C0GENERAL/1700000101.000200"
    assert ev.parent_conversation_id == "C0GENERAL"
    assert ev.reply_to_author_id == "U0KID"
    assert split_conversation_id(ev.conversation_id) == ("C0GENERAL", "1700000101.000200")
    assert ev.permalink is not None and "thread_ts=1700000101.000200" in ev.permalink


def test_file_share_counts_attachments_without_reading_them() -> None:
    ev = tr(load("file_share"))
    assert ev is not None
    assert ev.attachment_count == 1
    assert "drawing.png" not in ev.model_dump_json()


def test_edit_carries_the_new_text_and_original_message_id() -> None:
    ev = tr(load("message_changed"))
    assert ev is not None
    assert ev.type is EventType.EDIT
    assert ev.message_id == "1700000101.000200"
    assert ev.text == "hey @someone nice build, edited"
    assert ev.ts == pytest.approx(1700000107.0004)


def test_unfurl_edit_with_the_same_text_is_ignored() -> None:
    assert tr(load("message_changed_unfurl")) is None


def test_delete_names_the_deleted_message_and_its_author() -> None:
    ev = tr(load("message_deleted"))
    assert ev is not None
    assert ev.type is EventType.DELETE
    assert ev.message_id == "1700000101.000200"
    assert ev.author.id == "U0ADULT"
    assert ev.text == ""
    thread = tr(load("thread_message_deleted"))
    assert thread is not None and thread.conversation_id == "C0GENERAL/1700000101.000200"


def test_channel_join_is_a_member_join() -> None:
    ev = tr(load("channel_join"))
    assert ev is not None
    assert ev.type is EventType.MEMBER_JOIN
    assert ev.author.id == "U0NEW"
    assert ev.text == ""


@pytest.mark.parametrize(
    "name", ["bot_message", "app_bot_message", "own_message", "channel_topic", "url_verification"]
)
def test_bots_own_posts_and_housekeeping_are_ignored(name: str) -> None:
    assert tr(load(name)) is None


def test_own_message_is_ignored_even_without_bot_id() -> None:
    body = load("own_message")
    del body["event"]["bot_id"]
    assert tr(body) is None


def _mutations() -> list[dict[str, Any]]:
    base = load("channel_message")
    out: list[dict[str, Any]] = []
    for key, value in [
        ("user", None),
        ("user", 5),
        ("ts", "not-a-ts"),
        ("ts", None),
        ("channel", None),
        ("text", ["a"]),
        ("user", ""),
    ]:
        body = copy.deepcopy(base)
        body["event"][key] = value
        out.append(body)
    for missing in ("user", "ts", "channel"):
        body = copy.deepcopy(base)
        del body["event"][missing]
        out.append(body)
    out.append({"event": "nope"})
    out.append({"event": {"type": "message", "subtype": "message_changed", "channel": "C1"}})
    out.append(
        {
            "event": {
                "type": "message",
                "subtype": "message_deleted",
                "channel": "C1",
                "previous_message": "x",
            }
        }
    )
    no_team = copy.deepcopy(base)
    no_team.pop("team_id")
    no_team["event"].pop("team")
    out.append(no_team)
    return out


@pytest.mark.parametrize("body", _mutations())
def test_malformed_payloads_are_ignored(body: dict[str, Any]) -> None:
    assert translate_event(body, identity=Identity(bot_user_id="U0BOT")) is None


def test_odd_unicode_and_huge_text_are_kept_bounded() -> None:
    body = load("channel_message")
    body["event"]["text"] = "\u202e\u200b" + "x\U0001f600" * 20000
    ev = tr(body)
    assert ev is not None
    assert len(ev.text) <= 8192


def test_plain_text_handles_links_channels_and_specials() -> None:
    text = "<!here> see <#C0X|games> and <https://a.test/p|page> &lt;3 <!subteam^S1|@mods>"
    assert plain_text(text) == "@here see #games and https://a.test/p <3 @mods"
