"""Evidence bundles: one case as JSON plus a readable HTML page, with hashes.

A bundle is what a trust-and-safety team attaches to a report to NCMEC, CEOP or a
platform: the messages of the evidence window, the signals, a timeline, the audit trail
and SHA-256 hashes (of every message text and of each file). Images are never included;
attachments are only counted. People appear as pseudonyms with their role in the case.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from nudgeguard.cases.model import Case, CaseEvent
from nudgeguard.cases.store import AuditLog, CaseRecords
from nudgeguard.pipeline.signals import TAXONOMY
from nudgeguard.version import __version__


class ExportStore(CaseRecords, AuditLog, Protocol):
    """What an export reads: the case, and its audit events with the chain head."""


FORMAT = "nudgeguard-evidence-bundle/1"


def iso(ts: float) -> str:
    """Return a unix time as an ISO 8601 UTC string."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256_text(text: str) -> str:
    """Return the hex SHA-256 of a text encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _role(case: Case, author: str) -> str:
    if author == case.subject:
        return "subject"
    if author == case.target:
        return "target"
    return "other"


def build_bundle(
    case: Case, events: list[CaseEvent], chain: dict[str, Any], now: float
) -> dict[str, Any]:
    """Return the bundle of a case (with evidence) as JSON-ready data."""
    messages = [
        {
            "message_id": m.message_id,
            "author": m.author,
            "role": _role(case, m.author),
            "ts": m.ts,
            "time_utc": iso(m.ts),
            "text": m.text,
            "text_sha256": sha256_text(m.text),
            "signals": list(m.signals),
            "attachment_count": m.attachment_count,
            "attachments_included": False,
            "edited": m.edited,
            "deleted": m.deleted,
        }
        for m in case.evidence
    ]
    counts: dict[str, int] = {}
    for m in case.evidence:
        for s in m.signals:
            counts[s] = counts.get(s, 0) + 1
    signals = [
        {
            "id": s,
            "stages": list(TAXONOMY[s].stages) if s in TAXONOMY else [],
            "family": TAXONOMY[s].family if s in TAXONOMY else "",
            "messages": counts.get(s, 0),
        }
        for s in sorted(set(case.signals) | set(counts))
    ]
    timeline: list[tuple[float, str]] = [
        (m.ts, f"{_role(case, m.author)} message: " + ", ".join(m.signals))
        for m in case.evidence
        if m.signals
    ]
    timeline += [(e.ts, f"case {e.kind}") for e in events]
    timeline.sort(key=lambda t: t[0])
    return {
        "format": FORMAT,
        "generator": f"nudgeguard {__version__}",
        "generated_utc": iso(now),
        "case": {
            "id": case.id,
            "platform": case.platform,
            "community_id": case.community_id,
            "conversation_id": case.conversation_id,
            "status": case.status.value,
            "outcome": case.outcome.value if case.outcome else None,
            "severity": case.severity.value,
            "score": case.score,
            "stages": list(case.stages),
            "reasons": list(case.reasons),
            "opened_utc": iso(case.opened_at),
            "updated_utc": iso(case.updated_at),
            "subject": case.subject,
            "target": case.target,
        },
        "people": "Authors are keyed pseudonyms (HMAC-SHA256 of platform:user id); the "
        "operator holding the key can confirm which account a pseudonym belongs to.",
        "images": "Never included. Attachments are only counted.",
        "evidence": messages,
        "signals": signals,
        "timeline": [{"ts": ts, "time_utc": iso(ts), "what": what} for ts, what in timeline],
        "audit": [
            {
                "seq": e.seq,
                "time_utc": iso(e.ts),
                "kind": e.kind,
                "actor": e.actor,
                "detail": e.detail,
                "hash": e.hash,
            }
            for e in events
        ],
        "audit_chain": chain,
    }


@dataclass(frozen=True, slots=True)
class Written:
    """Files of a written bundle and their hashes."""

    json_path: Path
    html_path: Path
    sums_path: Path
    bundle_sha256: str
    html_sha256: str


def write_bundle(bundle: dict[str, Any], out: Path) -> Written:
    """Write ``CASE.json``, ``CASE.html`` and ``SHA256SUMS`` into the folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    case_id = str(bundle["case"]["id"])
    data = (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    json_path = out / f"{case_id}.json"
    json_path.write_bytes(data)
    bundle_sha = hashlib.sha256(data).hexdigest()
    page = render_html(bundle, bundle_sha).encode("utf-8")
    html_path = out / f"{case_id}.html"
    html_path.write_bytes(page)
    html_sha = hashlib.sha256(page).hexdigest()
    sums = out / "SHA256SUMS"
    sums.write_text(f"{bundle_sha}  {json_path.name}\n{html_sha}  {html_path.name}\n")
    return Written(json_path, html_path, sums, bundle_sha, html_sha)


async def export_case(store: ExportStore, case_id: str, out: Path, actor: str) -> Written:
    """Write a case's bundle to ``out`` and audit the export with the bundle's hash.

    Raises:
        KeyError: No such case.
    """
    case = await store.get(case_id)
    if case is None:
        raise KeyError(case_id)
    broken = await store.verify_chain()
    chain = {
        "head": await store.audit_head(),
        "verified": broken is None,
        "first_break": None if broken is None else f"row {broken.seq}: {broken.reason}",
    }
    now = datetime.now(UTC).timestamp()
    written = write_bundle(build_bundle(case, await store.events(case_id), chain, now), out)
    await store.record(
        case_id,
        "exported",
        actor,
        {"bundle_sha256": written.bundle_sha256, "messages": len(case.evidence)},
    )
    return written


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#111;max-width:1100px}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;
vertical-align:top;text-align:left}th{background:#f3f3f3}.text{white-space:pre-wrap;
word-break:break-word}.hash{font-family:monospace;font-size:11px;word-break:break-all}
.warn{background:#fff4e5;border:1px solid #f0a020;padding:8px 12px}
.subject{background:#fdecec}.target{background:#eaf3fd}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(head: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{_e(classes[i])}"' if classes else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    return f"<table><tr>{cells}</tr>{''.join(body)}</table>"


def render_html(bundle: dict[str, Any], bundle_sha: str) -> str:
    """Return the bundle as a self-contained HTML page (every value escaped, no scripts)."""
    c = bundle["case"]
    summary = _table(["field", "value"], [[_e(k), _e(v)] for k, v in c.items()])
    messages = _table(
        ["time (UTC)", "role", "author", "message", "signals", "attachments", "flags", "sha256"],
        [
            [
                _e(m["time_utc"]),
                _e(m["role"]),
                f'<span class="hash">{_e(m["author"])}</span>',
                f'<div class="text">{_e(m["text"])}</div>',
                _e(", ".join(m["signals"])),
                _e(f"{m['attachment_count']} (not included)" if m["attachment_count"] else "0"),
                _e(" ".join(f for f in ("edited", "deleted") if m[f])),
                f'<span class="hash">{_e(m["text_sha256"])}</span>',
            ]
            for m in bundle["evidence"]
        ],
        [str(m["role"]) for m in bundle["evidence"]],
    )
    signals = _table(
        ["signal", "stages", "family", "messages"],
        [
            [_e(s["id"]), _e("/".join(s["stages"])), _e(s["family"]), _e(s["messages"])]
            for s in bundle["signals"]
        ],
    )
    timeline = _table(
        ["time (UTC)", "what"], [[_e(t["time_utc"]), _e(t["what"])] for t in bundle["timeline"]]
    )
    audit = _table(
        ["#", "time (UTC)", "event", "by", "detail", "hash"],
        [
            [
                _e(a["seq"]),
                _e(a["time_utc"]),
                _e(a["kind"]),
                _e(a["actor"]),
                _e(json.dumps(a["detail"], ensure_ascii=False)),
                f'<span class="hash">{_e(a["hash"])}</span>',
            ]
            for a in bundle["audit"]
        ],
    )
    chain = bundle["audit_chain"]
    verdict = "intact" if chain["verified"] else f"BROKEN at {chain['first_break']}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Evidence bundle {_e(c["id"])}</title><style>{_CSS}</style></head><body>
<h1>Evidence bundle {_e(c["id"])}</h1>
<p class="warn">This page may contain messages from the grooming of a child. Handle it under
your reporting procedure, share it only with the people who must see it, and never re-post
it. No images are included: attachments are only counted.</p>
<p>Generated {_e(bundle["generated_utc"])} by {_e(bundle["generator"])}. {_e(bundle["people"])}</p>
<h2>Case</h2>{summary}
<h2>Messages of the evidence window</h2>{messages}
<h2>Signals</h2>{signals}
<h2>Timeline</h2>{timeline}
<h2>Audit trail</h2>{audit}
<h2>Hashes</h2>
<p>Audit chain: {_e(verdict)}; head <span class="hash">{_e(chain["head"])}</span></p>
<p>SHA-256 of {_e(c["id"])}.json: <span class="hash">{_e(bundle_sha)}</span>
(also in SHA256SUMS; check with <code>sha256sum -c SHA256SUMS</code>).
Each message's hash is the SHA-256 of its UTF-8 text.</p>
</body></html>
"""
