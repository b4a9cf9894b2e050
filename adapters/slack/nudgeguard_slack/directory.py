"""User-group membership (moderators, age bands), fetched from Slack and cached briefly.

Handles (``safety-team``) are resolved to ids with ``usergroups.list``; members come from
``usergroups.users.list``. Answers are cached for ``ttl`` seconds. When Slack cannot be
asked, the last known answer is used; with none, :class:`GroupLookupError` is raised, and a
moderator check then fails closed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Literal

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from nudgeguard import AgeBand, AgeSource
from nudgeguard_slack.settings import AgeSelector, is_group_id

log = logging.getLogger(__name__)


class GroupLookupError(Exception):
    """Membership of a user group could not be determined."""


class GroupDirectory:
    """Cached members of Slack user groups."""

    def __init__(
        self,
        client: AsyncWebClient,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._handles: dict[str, str] | None = None
        self._handles_at = 0.0
        self._lock = asyncio.Lock()

    async def members(self, ref: str) -> frozenset[str]:
        """Return the user ids in the group ``ref`` (id or handle).

        Raises:
            GroupLookupError: Slack could not be asked and nothing is cached.
        """
        async with self._lock:
            cached = self._members.get(ref)
            if cached is not None and self._clock() - cached[0] < self._ttl:
                return cached[1]
            try:
                group_id = ref if is_group_id(ref) else await self._resolve(ref)
                resp = await self._client.usergroups_users_list(usergroup=group_id)
                users = frozenset(str(u) for u in resp.get("users") or ())
            except (SlackApiError, GroupLookupError, OSError, TimeoutError) as err:
                if cached is not None:
                    log.warning(
                        "user-group lookup failed (%s); using the cached answer", _reason(err)
                    )
                    return cached[1]
                raise GroupLookupError(f"user-group lookup failed: {_reason(err)}") from None
            self._members[ref] = (self._clock(), users)
            return users

    async def _resolve(self, handle: str) -> str:
        if self._handles is None or self._clock() - self._handles_at >= self._ttl:
            resp = await self._client.usergroups_list()
            self._handles = {
                str(g.get("handle")): str(g.get("id")) for g in resp.get("usergroups") or ()
            }
            self._handles_at = self._clock()
        try:
            return self._handles[handle]
        except KeyError:
            raise GroupLookupError("no user group with the configured handle") from None

    def remembered_users(self) -> set[str]:
        """Return everyone named in a cached membership."""
        return {u for _at, users in self._members.values() for u in users}

    def forget_user(self, user_id: str) -> None:
        """Drop every cached membership that names a person (an erasure request)."""
        for ref, (_at, users) in list(self._members.items()):
            if user_id in users:
                del self._members[ref]

    async def is_member(self, ref: str, user_id: str) -> bool:
        """Tell whether ``user_id`` is in the group ``ref``."""
        return user_id in await self.members(ref)


class AgeDirectory:
    """Age bands from admin config: user groups and user-id lists mapped to minor or adult.

    :meth:`refresh` (async) brings group memberships up to date; :meth:`lookup` (sync) is
    what translation calls. Someone listed as both minor and adult counts as a minor.
    """

    def __init__(
        self,
        groups: GroupDirectory,
        ages: Mapping[Literal["minor", "adult"], AgeSelector],
    ) -> None:
        self._groups = groups
        self._ages = dict(ages)
        self._resolved: dict[str, frozenset[str]] = {
            band: frozenset(sel.users) for band, sel in self._ages.items()
        }

    async def refresh(self) -> None:
        """Fetch (or take from cache) the members of every configured age group."""
        for band, selector in self._ages.items():
            users = set(selector.users)
            for ref in selector.groups:
                try:
                    users |= await self._groups.members(ref)
                except GroupLookupError as err:
                    log.warning("age group for band %s unavailable: %s", band, err)
            self._resolved[band] = frozenset(users)

    def remembered_users(self) -> set[str]:
        """Return everyone in a resolved age group."""
        return {u for users in self._resolved.values() for u in users}

    def forget_user(self, user_id: str) -> None:
        """Drop a person from the resolved age groups until the next refresh."""
        self._resolved = {band: users - {user_id} for band, users in self._resolved.items()}

    def lookup(self, user_id: str) -> tuple[AgeBand, AgeSource]:
        """Return the configured band of ``user_id`` (unknown when not configured)."""
        if user_id in self._resolved.get("minor", frozenset()):
            return AgeBand.MINOR, AgeSource.CONFIG
        if user_id in self._resolved.get("adult", frozenset()):
            return AgeBand.ADULT, AgeSource.CONFIG
        return AgeBand.UNKNOWN, AgeSource.NONE


def _reason(err: BaseException) -> str:
    if isinstance(err, SlackApiError):
        return str(err.response.get("error") or f"HTTP {err.response.status_code}")
    return type(err).__name__
