"""The console's parts: the shared state, sign-in and sign-out (routes: :mod:`.server`).

Pages are rendered on the server from Jinja2 templates (autoescaped); the only script is a
small static file. Everything but ``/healthz``, ``/login`` and ``/static`` needs a
session; every form carries the session's CSRF token.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from nudgeguard.app import pseudonymizer_for
from nudgeguard.cases.accounts import Account, AccountStore
from nudgeguard.cases.store import CaseStore
from nudgeguard.console import names
from nudgeguard.console.security import (
    MAX_PASSWORD,
    RateLimiter,
    Session,
    Sessions,
    hash_password,
    needs_rehash,
    same_token,
    verify_password,
)
from nudgeguard.delivery.nudges import catalog
from nudgeguard.engine import Engine
from nudgeguard.locales import LanguageSettings
from nudgeguard.policy import load_policy

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
COOKIE = "nudgeguard_console"
LOGIN_COOKIE = "nudgeguard_login"

StoreFactory = Callable[[], CaseStore]


class ConsoleStore(CaseStore, AccountStore, Protocol):
    """A case store with console accounts (both built-in backends are)."""


@dataclass
class Console:
    """What the routes share.

    Attributes:
        secure_cookies: Mark cookies ``Secure`` (anything but a loopback address).
        languages: The config's ``languages:``: what the console says about a case (notes,
            dismissal reasons, signal and stage names) and a community's report section
            are worded in the case's community's language, as its chat alerts are.
    """

    store_factory: StoreFactory
    secure_cookies: bool
    languages: LanguageSettings = field(default_factory=LanguageSettings)
    sessions: Sessions = field(default_factory=Sessions)
    by_user: RateLimiter = field(default_factory=lambda: RateLimiter(5, 900))
    by_ip: RateLimiter = field(default_factory=lambda: RateLimiter(20, 900))
    templates: Environment = field(
        default_factory=lambda: Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
    )
    _store: ConsoleStore | None = None
    _engine: Engine | None = None

    @property
    def store(self) -> ConsoleStore:
        """Return the open case store."""
        assert self._store is not None, "the console is not started"
        return self._store

    @property
    def engine(self) -> Engine:
        """Return the engine whose moderation service the actions call."""
        assert self._engine is not None, "the console is not started"
        return self._engine

    async def start(self) -> None:
        """Open the store and build the moderation service on it (no adapters, no sends)."""
        store = self.store_factory()
        if not isinstance(store, AccountStore):
            raise TypeError("this case store has no console accounts")
        self._store = cast(ConsoleStore, store)
        pseudonyms = await pseudonymizer_for(store)
        self._engine = Engine(
            load_policy("default"),
            cases=store,
            detectors=[],
            pseudonymizer=pseudonyms,
            languages=self.languages,
        )

    async def stop(self) -> None:
        """Close the store."""
        if self._store is not None:
            await self._store.close()

    def locale_of(self, community_id: str) -> str:
        """Return the language of a community's moderators (the config's setting)."""
        return self.languages.for_moderators(community_id)

    def notes(self, community_id: str) -> Callable[..., str]:
        """Return the moderator notes (``moderator:`` in the catalogs) of a community."""
        return catalog(self.locale_of(community_id)).moderator_text

    def page(self, request: Request, name: str, status: int = 200, **values: Any) -> Response:
        """Render a template with the shared values."""
        who: Account | None = getattr(request.state, "account", None)
        session: Session | None = getattr(request.state, "session", None)
        html = self.templates.get_template(name).render(
            account=who,
            csrf=session.csrf if session else "",
            names=names,
            path=request.url.path,
            **values,
        )
        return HTMLResponse(html, status_code=status)


def is_loopback(host: str) -> bool:
    """Return True for ``localhost`` and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def read_form(request: Request) -> FormData:
    """Return a small urlencoded form (no files; bounded size)."""
    try:
        return await request.form(max_files=0, max_fields=200, max_part_size=16_384)
    except Exception:
        raise HTTPException(400, "bad form") from None


Handler = Callable[[Request], Awaitable[Response]]


def signed_in(handler: Handler) -> Handler:
    """Wrap a route: no session, no page; a POST without the CSRF token is refused."""

    async def guarded(request: Request) -> Response:
        console: Console = request.app.state.console
        session = console.sessions.get(request.cookies.get(COOKIE))
        account = await console.store.account(session.user) if session else None
        if session is None or account is None:
            if request.method == "GET":
                return RedirectResponse("/login", status_code=303)
            return PlainTextResponse("Sign in first.", status_code=403)
        request.state.session, request.state.account = session, account
        if request.method == "POST":
            form = await read_form(request)
            if not same_token(session.csrf, _str(form.get("csrf"))):
                return PlainTextResponse("This form expired; reload the page.", status_code=403)
            request.state.form = form
        return await handler(request)

    return guarded


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def healthz(request: Request) -> Response:
    """Answer without signing in: the process is up and the store answers."""
    console: Console = request.app.state.console
    try:
        await console.store.get_setting("console:health")
    except Exception as exc:
        log.warning("console health check failed: %s", type(exc).__name__)
        return PlainTextResponse("store unavailable", status_code=503)
    return PlainTextResponse("ok")


async def login(request: Request) -> Response:
    """Show the sign-in form, or check a sign-in (rate limited per name and per address)."""
    console: Console = request.app.state.console
    if request.method == "GET":
        token = secrets.token_urlsafe(32)
        response = console.page(request, "login.html", login_csrf=token, error="")
        response.set_cookie(
            LOGIN_COOKIE, token, max_age=900, httponly=True, samesite="strict",
            secure=console.secure_cookies,
        )  # fmt: skip
        return response
    form = await read_form(request)
    token = request.cookies.get(LOGIN_COOKIE) or ""
    if not token or not same_token(token, _str(form.get("csrf"))):
        return PlainTextResponse("This form expired; reload the page.", status_code=403)
    name = (_str(form.get("name")) or "").strip()[:200]
    password = (_str(form.get("password")) or "")[:MAX_PASSWORD]
    ip = request.client.host if request.client else "-"
    wait = max(console.by_user.retry_after(name.casefold()), console.by_ip.retry_after(ip))
    if wait:
        minutes = int(wait // 60) + 1
        return console.page(
            request, "login.html", 429, login_csrf=token,
            error=f"Too many failed sign-ins. Try again in {minutes} min.",
        )  # fmt: skip
    account = await console.store.account(name) if name else None
    if not verify_password(account.password_hash if account else None, password):
        console.by_user.fail(name.casefold())
        console.by_ip.fail(ip)
        log.info("console: a sign-in failed")
        return console.page(
            request, "login.html", 401, login_csrf=token, error="Wrong name or password."
        )
    assert account is not None
    console.by_user.reset(name.casefold())
    if needs_rehash(account.password_hash):
        await console.store.set_password_hash(account.name, hash_password(password))
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE, console.sessions.start(account.name), max_age=int(console.sessions.lifetime),
        httponly=True, samesite="strict", secure=console.secure_cookies,
    )  # fmt: skip
    response.delete_cookie(
        LOGIN_COOKIE, httponly=True, samesite="strict", secure=console.secure_cookies
    )
    return response


@signed_in
async def logout(request: Request) -> Response:
    """End the session."""
    console: Console = request.app.state.console
    console.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=console.secure_cookies)
    return response
