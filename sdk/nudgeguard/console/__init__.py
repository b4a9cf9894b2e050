"""The moderators' web console: the case queue, evidence on request, decisions, the report.

Server-rendered (Starlette, Jinja2 with autoescaping, served by uvicorn); install with
``pip install 'nudgeguard[console]'`` and run ``nudgeguard console serve``. See
docs/console.md.
"""

from nudgeguard.console.server import create_app

__all__ = ["create_app"]
