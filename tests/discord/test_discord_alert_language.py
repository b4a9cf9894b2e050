"""Moderator alerts on Discord follow the community's language setting (config ``languages:``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.locales import SUPPORTED_LOCALES, LanguageSettings
from nudgeguard.policy import load_policy
from tests.discord.test_discord_end_to_end import TRAJECTORY, run_trajectory
from tests.discord.world import World, make_adapter, wait_until

ALERT_KEYS = ("acknowledge", "show_evidence", "dismiss", "confirm", "timeout")


def labels_of(message: dict) -> list[str]:
    return [b["label"] for row in message["components"] for b in row["components"]]


def fields_of(message: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_alert_is_worded_in_the_communitys_language(
    world: World, tmp_path: Path, lang: str
) -> None:
    # A German server (config ``languages: communities: {guild: de}``); no setting = English.
    languages = LanguageSettings(communities={world.guild: "de"} if lang == "de" else {})
    adapter = make_adapter(world)
    engine = Engine(
        load_policy("default"),
        cases=SqliteCaseStore(tmp_path / "cases.sqlite3"),
        adapters=[adapter],
        languages=languages,
    )
    await engine.start()
    try:
        fake = world.fake
        await run_trajectory(world, adapter)
        [post, *_] = await fake.wait_for_call("POST", rf"^/channels/{world.mods}/messages$")
        t = catalog(lang).moderator_text
        other = catalog("en" if lang == "de" else "de").moderator_text
        [embed] = post.body["embeds"]
        assert embed["title"].startswith(t("title", severity="").split(":")[0])
        assert t("show_evidence") in embed["description"]
        fields = fields_of(post.body)
        assert {t("score"), t("signals"), t("stages"), t("participants")} <= set(fields)
        assert fields[t("status")] == t("state_open")
        message = next(m for m in fake.messages.values() if m["channel_id"] == world.mods)
        labels = labels_of(message)
        assert labels == [t(k) for k in ALERT_KEYS]
        assert not set(labels) & {other(k) for k in ALERT_KEYS}
        # Button ids are the same in every language, so old posts keep working.
        [case] = await engine.cases.list_cases(community_id=world.guild)
        assert [b["custom_id"] for row in message["components"] for b in row["components"]][:2] == [
            f"ng:ack:{case.id}",
            f"ng:ev:{case.id}",
        ]
        dumped = json.dumps(post.body)
        assert all(text not in dumped for _, text in TRAJECTORY)

        # After a press the alert keeps its language: status, last action, buttons.
        await fake.click(world.mod, f"ng:ack:{case.id}", message)
        [edit] = await fake.wait_for_call("PATCH", r"/messages/@original$")
        fields = fields_of(edit.body)
        assert fields[t("status")] == t("state_acknowledged")
        said = f"{t('decided_acknowledged')} {t('by', who='<@')}"
        assert fields[t("last_action")].startswith(said)
        assert world.mod["id"] in fields[t("last_action")]
        assert labels_of(edit.body)[:4] == [t(k) for k in ALERT_KEYS[:4]]

        # The private evidence view is worded in the same language.
        await wait_until(lambda: fake.messages[message["id"]].get("edited_timestamp"))
        await fake.click(world.mod, f"ng:ev:{case.id}", fake.messages[message["id"]])
        [shown] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
        assert shown.body["embeds"][0]["title"] == t("evidence_title", case=case.id)
        assert shown.body["embeds"][0]["footer"]["text"] == t("evidence_private")
    finally:
        await engine.stop()


def test_each_language_has_its_own_show_evidence_label() -> None:
    # The adapter reads a posted alert's language back from this label.
    labels = [catalog(lang).moderator_text("show_evidence") for lang in SUPPORTED_LOCALES]
    assert len(set(labels)) == len(labels)
