"""Slash commands and the "Check this message" context menu."""

from __future__ import annotations

from types import SimpleNamespace

from nudgeguard.delivery.outbound import Delivery, Nudge, NudgeAction, NudgeButton
from tests.discord.world import ADMINISTRATOR, MANAGE_MESSAGES, World, wait_until


def callback_body(world: World) -> dict:
    [call] = world.fake.calls_to("POST", r"/callback$")
    return call.body


async def test_commands_are_published_with_install_contexts(world: World, running) -> None:
    await world.fake.wait_for_call("PUT", r"^/applications/\d+/commands$")
    published = {c["name"]: c for c in world.fake.commands["global"]}
    assert set(published) == {"safety", "Check this message"}
    menu = published["Check this message"]
    assert menu["type"] == 3
    assert sorted(menu["integration_types"]) == [0, 1]  # guild install and user install
    assert sorted(menu["contexts"]) == [0, 1, 2]  # guilds, bot DMs, private channels
    safety = published["safety"]
    assert safety["contexts"] == [0]
    assert {o["name"] for o in safety["options"]} == {"status", "mode"}


async def test_command_list_is_published_in_every_catalog_language(world: World, running) -> None:
    await world.fake.wait_for_call("PUT", r"^/applications/\d+/commands$")
    published = {c["name"]: c for c in world.fake.commands["global"]}
    safety, menu = published["safety"], published["Check this message"]
    discord_tags = {"de", "nl", "es-ES", "es-419", "fr", "pt-BR"}
    assert set(safety["description_localizations"]) == discord_tags
    assert safety["description_localizations"]["de"] == "Werkzeuge für Kinderschutz (nudgeguard)"
    status = next(o for o in safety["options"] if o["name"] == "status")
    assert status["description_localizations"]["pt-BR"] == (
        "Casos de segurança abertos e o modo atual"
    )
    mode = next(o for o in safety["options"] if o["name"] == "mode")
    [option] = mode["options"]
    assert option["description_localizations"]["fr"].startswith("observe : noter")
    # The menu gets a name per language; slash command names stay as typed.
    assert menu["name_localizations"]["nl"] == "Bericht controleren"
    assert menu["name_localizations"]["es-ES"] == "Revisar este mensaje"
    assert not safety.get("name_localizations") and not status.get("name_localizations")
    # English, and languages without a catalog, fall back to the default texts.
    assert not {"en-US", "en-GB", "sv-SE"} & set(safety["description_localizations"])


async def test_status_for_moderators(world: World, running) -> None:
    await world.fake.wait_for_call("PUT", r"/commands$")
    await world.fake.slash(
        world.mod, world.guild, world.general, "safety", [{"type": 1, "name": "status"}]
    )
    await world.fake.wait_for_call("POST", r"/callback$")
    body = callback_body(world)
    assert body["data"]["flags"] & 64
    assert "Open safety cases: **2**" in body["data"]["content"]
    assert "observe" in body["data"]["content"]


async def test_status_refused_for_members(world: World, running) -> None:
    await world.fake.wait_for_call("PUT", r"/commands$")
    await world.fake.slash(
        world.bystander, world.guild, world.general, "safety", [{"type": 1, "name": "status"}]
    )
    await world.fake.wait_for_call("POST", r"/callback$")
    body = callback_body(world)
    assert body["data"]["flags"] & 64
    assert "Only moderators" in body["data"]["content"]


async def test_mode_needs_administrator(world: World, running) -> None:
    _, engine = running
    await world.fake.wait_for_call("PUT", r"/commands$")
    option = [
        {"type": 1, "name": "mode", "options": [{"type": 3, "name": "mode", "value": "live"}]}
    ]
    await world.fake.slash(
        world.mod, world.guild, world.general, "safety", option, permissions=MANAGE_MESSAGES
    )
    await world.fake.wait_for_call("POST", r"/callback$")
    assert "administrators" in callback_body(world)["data"]["content"]
    assert engine.mode == "observe"

    await world.fake.slash(
        world.mod, world.guild, world.general, "safety", option, permissions=ADMINISTRATOR
    )
    await world.fake.wait_for_call("POST", r"/callback$", count=2)
    await wait_until(lambda: engine.mode == "live")


def check_nudge(world: World) -> Nudge:
    return Nudge(
        nudge_id="check:discord:1:2",
        audience="child",
        recipient_id=world.kid["id"],
        platform="discord",
        community_id=world.guild,
        conversation_id=world.general,
        delivery=(Delivery.EPHEMERAL, Delivery.DIRECT_MESSAGE),
        text="Being asked to keep secrets from your family is a warning sign.",
        buttons=(NudgeButton(action=NudgeAction.TALK_TO_SOMEONE, label="Talk to someone"),),
        family="secrecy",
    )


async def test_check_this_message_in_a_guild_answers_the_child_only(world: World, running) -> None:
    _, engine = running
    fake = world.fake
    await fake.wait_for_call("PUT", r"/commands$")
    engine.check_answer = SimpleNamespace(
        level="nudge", nudge=check_nudge(world), case_id=None, reasons=("secrecy",)
    )
    await fake.send_message(world.general, world.adult, "hi there")
    target = await fake.send_message(world.general, world.adult, "keep it between us")
    await wait_until(lambda: len(engine.events) == 2)
    await fake.context_menu(world.kid, "Check this message", target, guild_id=world.guild)

    [deferred] = await fake.wait_for_call("POST", r"/callback$")
    assert deferred.body["type"] == 5 and deferred.body["data"]["flags"] & 64
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    assert answer.body["content"].startswith("Being asked to keep secrets")
    labels = [b["label"] for row in answer.body["components"] for b in row["components"]]
    assert "Talk to someone" in labels
    [(event, context, requester)] = engine.checks
    assert requester == world.kid["id"]
    assert event.message_id == target["id"] and event.author.id == world.adult["id"]
    assert [e.text for e in context] == ["hi there"]
    assert fake.calls_to("POST", r"^/channels/\d+/messages$") == []


async def test_check_this_message_in_a_dm_the_bot_cannot_read(world: World, running) -> None:
    _, engine = running
    fake = world.fake
    await fake.wait_for_call("PUT", r"/commands$")
    dm_between_users = "1299999999999999999"
    target = fake.message_payload(dm_between_users, world.adult, "nobody needs to know")
    await fake.context_menu(world.kid, "Check this message", target)
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    assert "didn't find warning signs" in answer.body["content"]
    [(event, context, _requester)] = engine.checks
    assert event.community_id == "dm"
    assert event.conversation_kind.value == "direct"
    assert context == ()
    assert fake.calls_to("GET", r"/messages") == []  # never tries to read the DM


async def test_checking_a_bot_message_is_declined_politely(world: World, running) -> None:
    _, engine = running
    fake = world.fake
    await fake.wait_for_call("PUT", r"/commands$")
    target = await fake.send_message(world.general, world.other_bot, "now playing")
    await fake.context_menu(world.kid, "Check this message", target, guild_id=world.guild)
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["flags"] & 64
    assert "messages that people wrote" in answer.body["content"]
    assert engine.checks == []


async def test_declining_a_bot_message_speaks_the_askers_language(world: World, running) -> None:
    _, engine = running
    fake = world.fake
    await fake.wait_for_call("PUT", r"/commands$")
    target = await fake.send_message(world.general, world.other_bot, "now playing")
    await fake.context_menu(
        world.kid, "Check this message", target, guild_id=world.guild, locale="es-ES"
    )
    [answer] = await fake.wait_for_call("POST", r"^/webhooks/\d+/[^/]+$")
    assert answer.body["content"] == "Solo puedo revisar mensajes que escribió una persona."
    assert engine.checks == []
