"""The queue and the case page: filters, evidence on request, actions and export.

Actions call the core's moderation service (:meth:`~nudgeguard.engine.Engine.moderate`
and :meth:`~nudgeguard.engine.Engine.resolve`), so a click here is checked and audited
exactly like the same button in Discord or Slack. A moderator sees only the cases of
communities they hold a role in; any other case is "not found".

What the console says about a case (the note after an action, the dismissal reasons) is
worded in the language of the case's community (:meth:`Console.locale_of`), like the
case's chat alert; the rest of the page is English.
"""

from __future__ import annotations

import io
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from nudgeguard.cases.accounts import Account
from nudgeguard.cases.bundle import export_case
from nudgeguard.cases.model import Case, CaseStatus, Severity, severity_rank
from nudgeguard.console import names
from nudgeguard.console.app import Console, signed_in
from nudgeguard.delivery.case_alert import CONSOLE
from nudgeguard.delivery.nudges import catalog
from nudgeguard.delivery.outbound import ModeratorAction
from nudgeguard.pipeline.signals import TAXONOMY

#: Reasons a moderator can give for dismissing (fixed phrases: no free text is stored).
#: The English phrase is what is recorded, in every language; each is shown with its
#: ``console:`` catalog text.
DISMISS_REASONS = {
    "not grooming: friends or family": "reason_family",
    "not grooming: banter or a game": "reason_banter",
    "the bot misread the words": "reason_misread",
    "duplicate of another case": "reason_duplicate",
    "other": "reason_other",
}
_ACTIONS = {
    "acknowledge": ModeratorAction.ACKNOWLEDGE,
    "dismiss": ModeratorAction.DISMISS,
    "confirm": ModeratorAction.CONFIRM,
}
_QUEUE_LIMIT = 500
#: The moderator note (``moderator:`` in the catalogs) shown after each action.
_DONE = {
    "acknowledge": "note_acknowledged",
    "dismiss": "note_dismissed",
    "confirm": "note_confirmed",
    "resolve": "note_resolved",
}


def moderator_id(account: Account) -> str:
    """Return the id a console account acts under (pseudonymised in the audit chain).

    The chat post names the account as who decided (``console:<account>``, see
    :func:`nudgeguard.delivery.case_alert.decided_by`).
    """
    return CONSOLE + account.name


async def visible_cases(console: Console, account: Account) -> list[Case]:
    """Return every case of the account's communities (without evidence)."""
    found: list[Case] = []
    for community in sorted(account.roles):
        found += await console.store.list_cases(community_id=community)
    return found


async def case_for(request: Request) -> Case:
    """Return the case named in the path, with evidence, if the account may see it."""
    console: Console = request.app.state.console
    account: Account = request.state.account
    case = await console.store.get(str(request.path_params["case_id"])[:200])
    if case is None or case.community_id not in account.roles:
        raise HTTPException(404)
    return case


def _pick(value: str | None, allowed: list[str]) -> str:
    return value if value in allowed else ""


@signed_in
async def queue(request: Request) -> Response:
    """List cases most severe first, then oldest first, with filters and counts."""
    console: Console = request.app.state.console
    account: Account = request.state.account
    q = request.query_params
    communities = sorted(account.roles)
    status = q.get("status", "active")
    status = status if status in ("active", "all", *CaseStatus) else "active"
    chosen = {
        "community": _pick(q.get("community"), communities),
        "severity": _pick(q.get("severity"), list(Severity)),
        "signal": _pick(q.get("signal"), list(TAXONOMY)),
        "status": status,
    }
    every = await visible_cases(console, account)
    cases = [
        c
        for c in every
        if (not chosen["community"] or c.community_id == chosen["community"])
        and (not chosen["severity"] or c.severity.value == chosen["severity"])
        and (not chosen["signal"] or chosen["signal"] in c.signals)
        and (
            status == "all"
            or (status == "active" and c.status in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED))
            or c.status.value == status
        )
    ]
    cases.sort(key=lambda c: (-severity_rank(c.severity), c.opened_at, c.id))
    return console.page(
        request,
        "queue.html",
        cases=cases[:_QUEUE_LIMIT],
        shown=min(len(cases), _QUEUE_LIMIT),
        matching=len(cases),
        by_status=Counter(c.status.value for c in every),
        by_severity=Counter(
            c.severity.value
            for c in every
            if c.status in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED)
        ),
        chosen=chosen,
        communities=communities,
        severities=[s.value for s in Severity],
        statuses=["active", "all", *(s.value for s in CaseStatus)],
        signals=sorted(TAXONOMY),
        now=time.time(),
    )


def _timeline(case: Case, events: list[object]) -> list[tuple[float, str]]:
    lines = [
        (
            m.ts,
            f"message {pos} from the {names.role_of(case, m.author)}: "
            + ", ".join(names.signal_name(s) for s in m.signals),
        )
        for pos, m in enumerate(case.evidence, start=1)
        if m.signals
    ]
    for e in events:
        kind = getattr(e, "kind", "")
        lines.append((float(getattr(e, "ts", 0.0)), f"case {kind.replace('_', ' ')}"))
    return sorted(lines, key=lambda t: t[0])


async def _render_case(
    request: Request, case: Case, shown: set[int], note: str = "", status: int = 200
) -> Response:
    console: Console = request.app.state.console
    events = await console.store.events(case.id)
    locale = console.locale_of(case.community_id)
    words = catalog(locale)
    return console.page(
        request,
        "case.html",
        status,
        case=case,
        events=events,
        timeline=_timeline(case, list(events)),
        cues=names.age_cues(case),
        shown=shown,
        note=note,
        locale=locale,  # the note's and the reasons' language (the page is English)
        reasons=[(value, words.text("console", key)) for value, key in DISMISS_REASONS.items()],
        active=case.status in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED),
        now=time.time(),
    )


@signed_in
async def case_page(request: Request) -> Response:
    """Show a case with its evidence hidden."""
    console: Console = request.app.state.console
    case = await case_for(request)
    done = _DONE.get(request.query_params.get("done", ""))
    note = console.notes(case.community_id)(done) if done else ""
    return await _render_case(request, case, set(), note)


@signed_in
async def reveal(request: Request) -> Response:
    """Show evidence messages a moderator asked for (one, several or all); audited."""
    console: Console = request.app.state.console
    account: Account = request.state.account
    case = await case_for(request)
    form = request.state.form
    if form.get("show") == "all":
        result = await console.engine.moderate(
            case.id, ModeratorAction.SHOW_EVIDENCE, moderator_id(account), True
        )
        return await _render_case(
            request, result.case or case, set(range(1, len(case.evidence) + 1)), result.note
        )
    wanted: set[int] = set()
    for value in form.getlist("show"):
        if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= len(case.evidence):
            wanted.add(int(value))
    if not wanted:
        raise HTTPException(400)
    who = "mod:" + console.engine.pseudonyms.pseudonym(case.platform, moderator_id(account))
    await console.store.record(
        case.id,
        "evidence_viewed",
        who,
        {"messages": len(wanted), "positions": ",".join(str(p) for p in sorted(wanted))},
    )
    return await _render_case(request, case, wanted, console.notes(case.community_id)("note_shown"))


@signed_in
async def act(request: Request) -> Response:
    """Acknowledge, dismiss (with a reason), confirm and preserve, or resolve a case."""
    console: Console = request.app.state.console
    account: Account = request.state.account
    case = await case_for(request)
    form = request.state.form
    action = form.get("action")
    permitted = case.community_id in account.roles
    if action == "resolve":
        result = await console.engine.resolve(case.id, moderator_id(account), permitted)
    elif action in _ACTIONS:
        reason = form.get("reason") if action == "dismiss" else None
        if action == "dismiss" and reason not in DISMISS_REASONS:
            words = catalog(console.locale_of(case.community_id))
            return await _render_case(
                request, case, set(), words.text("console", "pick_reason"), 400
            )
        result = await console.engine.moderate(
            case.id,
            _ACTIONS[str(action)],
            moderator_id(account),
            permitted,
            reason=str(reason) if reason else None,
        )
    else:
        raise HTTPException(400)
    if not result.accepted:
        return await _render_case(request, result.case or case, set(), result.note, 409)
    return RedirectResponse(f"/cases/{case.id}?done={action}", status_code=303)


@signed_in
async def export(request: Request) -> Response:
    """Download the evidence bundle (JSON, HTML, SHA256SUMS) as a zip; audited with its hash."""
    console: Console = request.app.state.console
    account: Account = request.state.account
    case = await case_for(request)
    who = "mod:" + console.engine.pseudonyms.pseudonym(case.platform, moderator_id(account))
    safe = "".join(ch for ch in case.id if ch.isascii() and (ch.isalnum() or ch in "-_"))
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="nudgeguard-export-") as tmp:
        written = await export_case(console.store, case.id, Path(tmp), who)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in (written.json_path, written.html_path, written.sums_path):
                zf.write(path, f"{case.id}/{path.name}")
    return Response(
        buf.getvalue(),
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{safe}-evidence.zip"'},
    )


ROUTES = [
    Route("/", queue),
    Route("/cases/{case_id}", case_page),
    Route("/cases/{case_id}/evidence", reveal, methods=["POST"]),
    Route("/cases/{case_id}/action", act, methods=["POST"]),
    Route("/cases/{case_id}/export", export, methods=["POST"]),
]
