"""The test world: a fake Discord guild with people, and helpers shared by the tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from nudgeguard import AlertDecision, NudgeResponse
from nudgeguard.delivery.outbound import ModeratorAction
from nudgeguard.inbox.events import MessageEvent
from nudgeguard.inbox.queue import Inbox, Replays
from nudgeguard_discord import DiscordAdapter, DiscordSettings
from tests.discord.fake_discord import FakeDiscord, Json

MODERATE_MEMBERS = 1 << 40
MANAGE_MESSAGES = 1 << 13
ADMINISTRATOR = 1 << 3
READ_HISTORY = 1 << 16
VIEW_CHANNEL = 1 << 10
SEND = 1 << 11
BOT_PERMISSIONS = MODERATE_MEMBERS | MANAGE_MESSAGES | READ_HISTORY | VIEW_CHANNEL | SEND


@dataclass
class World:
    """A guild with a child, an adult, a moderator and a bystander."""

    fake: FakeDiscord
    guild: str
    general: str
    mods: str
    thread: str
    roles: dict[str, str]
    kid: Json
    adult: Json
    mod: Json
    bystander: Json
    other_bot: Json

    def section(self, **extra: Any) -> dict[str, Any]:
        """Return the ``discord:`` config section for this guild."""
        return {
            "guilds": {
                self.guild: {
                    "moderator_channel_id": int(self.mods),
                    "moderator_roles": ["Safety Team"],
                    "country": "GB",
                    "age_roles": {"Under 18": "minor", self.roles["adults"]: "adult"},
                }
            },
            **extra,
        }


def build_world(fake: FakeDiscord, *, bot_permissions: int = BOT_PERMISSIONS) -> World:
    guild = fake.add_guild("Maple Club", bot_permissions=bot_permissions)
    roles = {
        "minor": fake.add_role(guild, "Under 18"),
        "adults": fake.add_role(guild, "Grown-ups"),
        "safety": fake.add_role(guild, "Safety Team"),
    }
    general = fake.add_channel(guild, "general")
    mods = fake.add_channel(guild, "mod-alerts")
    thread = fake.add_channel(guild, "homework help", parent_id=general, thread=True)
    kid = fake.add_user("kid")
    adult = fake.add_user("stranger")
    mod = fake.add_user("mod")
    bystander = fake.add_user("bystander")
    other_bot = fake.add_user("musicbot", bot=True)
    fake.add_member(guild, kid, roles=[roles["minor"]])
    fake.add_member(guild, adult, roles=[roles["adults"]])
    fake.add_member(guild, mod, roles=[roles["safety"], roles["adults"]])
    fake.add_member(guild, bystander)
    fake.add_member(guild, other_bot)
    return World(fake, guild, general, mods, thread, roles, kid, adult, mod, bystander, other_bot)


@dataclass
class RecordingEngine:
    """A stand-in engine that records what the adapter hands it."""

    events: list[MessageEvent] = field(default_factory=list)
    moderations: list[tuple[str, ModeratorAction, str, bool]] = field(default_factory=list)
    communities: list[str | None] = field(default_factory=list)
    checks: list[tuple[MessageEvent, tuple[MessageEvent, ...], str]] = field(default_factory=list)
    check_answer: Any = None
    mode: str = "observe"
    #: Presses on nudge buttons as handed over (nudge id, action, user, the keywords).
    presses: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    #: The case's alert as the core would return it with an accepted click (None: the
    #: core does not hold it, as after a restart).
    redraw: Any = None

    def __post_init__(self) -> None:
        # The core's real inbox and replay memory: adapters submit to the inbox, which hands
        # events to handle() below; replays are dropped there, as Engine.handle does.
        self.inbox = Inbox(self.handle)
        self.replays = Replays()

    async def handle(self, event: MessageEvent) -> None:
        if self.replays.first_time(event):
            self.events.append(event)

    async def moderate(
        self,
        case_id: str,
        action: ModeratorAction,
        moderator_id: str,
        permitted: bool,
        reason: str | None = None,
        community_id: str | None = None,
    ) -> Any:
        self.moderations.append((case_id, action, moderator_id, permitted))
        self.communities.append(community_id)
        status = {"acknowledge": "acknowledged", "dismiss": "dismissed"}.get(action, "open")
        key = {"acknowledge": "acknowledged", "dismiss": "dismissed", "confirm": "confirmed"}
        # The decision as the core hands it over: who pressed, what, when.
        decision = (
            AlertDecision(key=key[action], ts=time.time(), moderator_id=moderator_id)
            if permitted and action in key
            else None
        )
        return SimpleNamespace(
            accepted=permitted,
            case=SimpleNamespace(status=status),
            evidence=(),
            note="" if permitted else "not permitted",
            alert=self.redraw.model_copy(update={"status": status, "decision": decision})
            if self.redraw is not None and permitted
            else None,
            decision=decision,
        )

    async def check_message(self, event: MessageEvent, context: Any, requester_id: str) -> Any:
        self.checks.append((event, tuple(context), requester_id))
        return self.check_answer or SimpleNamespace(
            level="none", nudge=None, case_id=None, reasons=()
        )

    async def respond_to_nudge(
        self, nudge_id: str, action: str, user_id: str, **where: Any
    ) -> NudgeResponse:
        self.presses.append((nudge_id, action, user_id, where))
        return NudgeResponse(f"engine answer to {action}", reported=action == "report")

    def moderator_locale(self, community_id: str) -> str:
        return "en"

    async def status(self, community_id: str) -> Any:
        return SimpleNamespace(open_cases=2, mode=self.mode)

    async def set_mode(self, community_id: str, mode: str) -> None:
        self.mode = mode


async def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    """Poll until ``predicate()`` is truthy (raises on timeout; not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


def make_adapter(world: World, **extra: Any) -> DiscordAdapter:
    settings = DiscordSettings.from_section(
        world.section(**extra), environ={"DISCORD_TOKEN": "fake-token"}
    )
    return DiscordAdapter(settings, bot_options={"guild_ready_timeout": 0.05})
