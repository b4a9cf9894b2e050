"""Which conversations belong together, so that no fold of a cross-validation splits them.

- Machine translations of a segment (``en_twin``) go with the English segment.
- A chat of ``suspect_lines_pj.jsonl`` goes with the Perverted-Justice transcript it shares
  at least ``MIN_SHARED`` long lines with (both sets are cut from the same site).
- Ubuntu IRC threads and the busy channel replayed from the same log file share a group.
- Anything else is its own group.

Lines are compared by a hash of their text; no text is kept.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MIN_SHARED = 3
_LONG = 25


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def group_key(corpus: str, conv: dict[str, object]) -> str:
    """Return the group of one conversation, before the line-sharing links."""
    cid = str(conv.get("id", ""))
    twin = conv.get("en_twin")
    if isinstance(twin, str) and twin:
        return f"vtpan/{twin}"
    if corpus.startswith("ext_vtpan_en"):
        return f"vtpan/{cid}"
    origin = conv.get("origin")
    if corpus.startswith("ext_normal_irc_ubuntu") and isinstance(origin, str):
        return "ubuntu/" + origin.split(" ")[0]
    return f"{corpus}/{cid}"


def conversation_groups(files: list[Path]) -> dict[tuple[str, str], str]:
    """Return ``{(corpus, conversation id): group}`` for every conversation of ``files``."""
    groups: dict[tuple[str, str], str] = {}
    transcript_lines: dict[bytes, set[str]] = {}
    pairs: list[tuple[str, str, set[bytes]]] = []
    for path in files:
        corpus = path.stem
        with path.open(encoding="utf-8") as fh:
            for raw in fh:
                if not raw.strip():
                    continue
                conv = json.loads(raw)
                key = (corpus, str(conv.get("id", "")))
                groups[key] = group_key(corpus, conv)
                if "suspect_lines" in conv:
                    texts = [*conv.get("suspect_lines", []), *conv.get("child_lines", [])]
                    long = {_digest(str(t)) for t in texts if len(str(t)) >= _LONG}
                    pairs.append((corpus, key[1], long))
                elif conv.get("label") == "grooming":
                    for m in conv.get("messages") or []:
                        text = str(m.get("text") or "")
                        if len(text) >= _LONG:
                            transcript_lines.setdefault(_digest(text), set()).add(groups[key])
    for corpus, cid, long in pairs:
        shared: dict[str, int] = {}
        for d in long:
            for g in transcript_lines.get(d, ()):
                shared[g] = shared.get(g, 0) + 1
        if shared:
            best, count = max(shared.items(), key=lambda kv: (kv[1], kv[0]))
            if count >= MIN_SHARED:
                groups[(corpus, cid)] = best
    return groups
