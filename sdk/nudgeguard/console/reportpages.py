"""The transparency report with its charts, the audit chain, and dry-run decisions.

Counts only, as in ``nudgeguard report``: no message text, no user ids. Every page is
limited to the communities the account holds a role in; the audit chain and the dry-run
decisions need the ``admin`` role.
"""

from __future__ import annotations

import time
from collections import Counter

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nudgeguard.cases.accounts import Account
from nudgeguard.cases.model import CaseEvent
from nudgeguard.console.app import Console, signed_in
from nudgeguard.policy.decisions import Planned, RecordedDecision, list_decisions
from nudgeguard.report import CommunityReport, collect
from nudgeguard.report.render import charts, summary_rows

_PERIODS = (7, 30, 90, 365)
_AUDIT_ROWS = 500
_RECORD_ROWS = 300


def _days(request: Request) -> int:
    value = request.query_params.get("days", "30")
    return int(value) if value.isdigit() and int(value) in _PERIODS else 30


def _admin_of(account: Account) -> list[str]:
    return sorted(c for c, role in account.roles.items() if role == "admin")


async def _reports(console: Console, account: Account, days: int) -> list[CommunityReport]:
    since = time.time() - days * 86400
    return [r for r in await collect(console.store, since) if r.community_id in account.roles]


@signed_in
async def report(request: Request) -> Response:
    """The transparency report of the account's communities, with per-signal precision."""
    console: Console = request.app.state.console
    days = _days(request)
    reports = await _reports(console, request.state.account, days)
    try:
        import matplotlib  # noqa: F401

        with_charts = True
    except ImportError:
        with_charts = False
    return console.page(
        request,
        "report.html",
        reports=reports,
        rows={r.community_id: summary_rows(r, console.locale_of(r.community_id)) for r in reports},
        days=days,
        periods=_PERIODS,
        with_charts=with_charts,
    )


@signed_in
async def chart(request: Request) -> Response:
    """One chart of one community's report as PNG (rendered here; none without matplotlib)."""
    console: Console = request.app.state.console
    community = str(request.path_params["community"])
    name = str(request.path_params["name"])
    if community not in request.state.account.roles:
        raise HTTPException(404)
    found = [r for r in await _reports(console, request.state.account, _days(request))]
    locale = console.locale_of(community)
    png = next((charts(r, locale).get(name) for r in found if r.community_id == community), None)
    if png is None:
        raise HTTPException(404)
    return Response(png, media_type="image/png")


@signed_in
async def audit(request: Request) -> Response:
    """The audit chain rows of the admin's communities, newest first; POST verifies it."""
    console: Console = request.app.state.console
    mine = _admin_of(request.state.account)
    if not mine:
        raise HTTPException(404)
    cases: set[str] = set()
    for community in mine:
        cases |= {c.id for c in await console.store.list_cases(community_id=community)}
    rows: list[CaseEvent] = [e for e in await console.store.events() if e.case_id in cases]
    verified: str | None = None
    if request.method == "POST":
        broken = await console.store.verify_chain()
        verified = (
            "The audit chain is intact."
            if broken is None
            else f"The audit chain is broken at row {broken.seq}: {broken.reason}"
        )
    return console.page(
        request,
        "audit.html",
        rows=list(reversed(rows))[:_AUDIT_ROWS],
        total=len(rows),
        head=await console.store.audit_head(),
        verified=verified,
    )


@signed_in
async def decisions(request: Request) -> Response:
    """The dry run of the admin's communities: counts, then each recorded decision.

    Counts cover every decision observed in the period. The records list, newest first,
    each observe-mode decision and each nudge a cap or hard line held back in live mode:
    when (local time), mode, level, what would have been sent or was held back and why,
    to whom (role and pseudonym), the rule and the signals. Records hold no message text.
    """
    console: Console = request.app.state.console
    mine = _admin_of(request.state.account)
    if not mine:
        raise HTTPException(404)
    days = _days(request)
    since = time.time() - days * 86400
    seen = [
        o
        for o in await console.store.observations(since=since)
        if o.community_id in mine and o.mode != "live"
    ]
    records: list[tuple[RecordedDecision, tuple[Planned, ...]]] = []
    for community in mine:
        for d in await list_decisions(console.store, community_id=community, since=since):
            shown = d.planned if d.mode == "observe" else d.held_back
            if shown:
                records.append((d, shown))
    records.sort(key=lambda r: r[0].ts, reverse=True)
    return console.page(
        request,
        "decisions.html",
        days=days,
        periods=_PERIODS,
        total=len(seen),
        by_level=Counter(o.level for o in seen).most_common(),
        by_action=Counter(a for o in seen for a in o.actions).most_common(),
        by_signal=Counter(s for o in seen for s in o.signals).most_common(),
        by_community=Counter(o.community_id for o in seen).most_common(),
        records=records[:_RECORD_ROWS],
        records_total=len(records),
    )


ROUTES = [
    Route("/report", report),
    Route("/report/chart/{community}/{name}.png", chart),
    Route("/audit", audit, methods=["GET", "POST"]),
    Route("/decisions", decisions),
]
