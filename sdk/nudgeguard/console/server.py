"""The console's ASGI application: its routes (sign-in, the case and report pages) and errors.

The parts the pages share (:class:`~nudgeguard.console.app.Console`, sign-in) are in
:mod:`nudgeguard.console.app`; the pages import those, and this module imports the pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from nudgeguard.console import casepages, reportpages
from nudgeguard.console.app import (
    HERE,
    Console,
    Handler,
    StoreFactory,
    healthz,
    login,
    logout,
    signed_in,
)
from nudgeguard.console.security import SecurityHeaders
from nudgeguard.locales import LanguageSettings


async def _not_found(request: Request, exc: Exception) -> Response:
    console: Console = request.app.state.console
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = {404: "Not found.", 400: "Bad request."}.get(status, "Something went wrong.")
    return console.page(request, "error.html", status, message=message)


def create_app(
    store_factory: StoreFactory,
    *,
    secure_cookies: bool = True,
    routes: Mapping[str, tuple[Handler, list[str]]] | None = None,
    languages: LanguageSettings | None = None,
) -> Starlette:
    """Return the console application.

    Args:
        store_factory: Opens the case store (called once, on the server's event loop).
        secure_cookies: Mark cookies ``Secure``; only a console on loopback may do without.
        routes: Extra routes, path -> (handler, methods) (hooks for other pages).
        languages: The config's ``languages:`` (default: none set, so English).
    """
    console = Console(store_factory, secure_cookies, languages or LanguageSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await console.start()
        try:
            yield
        finally:
            await console.stop()

    table: list[Route | Mount] = [
        Route("/healthz", healthz),
        Route("/favicon.ico", lambda _request: Response(status_code=204)),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        *casepages.ROUTES,
        *reportpages.ROUTES,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    for path, (handler, methods) in (routes or {}).items():
        table.append(Route(path, signed_in(handler), methods=methods))
    app = Starlette(
        routes=table,
        middleware=[Middleware(SecurityHeaders)],
        lifespan=lifespan,
        exception_handlers={HTTPException: _not_found, Exception: _not_found},
    )
    app.state.console = console
    return app
