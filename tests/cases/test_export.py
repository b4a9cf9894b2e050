"""`nudgeguard cases export`: evidence bundle as JSON + escaped HTML, with hashes."""

from __future__ import annotations

import asyncio
import hashlib
import json

from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main

from .contract import make_case, msg

HOSTILE = '<script>alert("x")</script> & <img src=x onerror=1>'


def export(store, case_id, out=None):
    args = ["cases", "export", case_id, "--store", str(store)]
    if out is not None:
        args += ["--out", str(out)]
    return CliRunner().invoke(main, args)


def test_bundle_folder_has_json_html_and_checkable_hashes(populated, tmp_path):
    out = tmp_path / "bundle"
    result = export(populated.path, populated.case_id, out)
    assert result.exit_code == 0, result.output
    files = {p.name for p in out.iterdir()}
    assert files == {f"{populated.case_id}.json", f"{populated.case_id}.html", "SHA256SUMS"}
    for line in (out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    bundle = json.loads((out / f"{populated.case_id}.json").read_text())
    assert bundle["case"]["id"] == populated.case_id
    assert bundle["evidence"], "no messages in the bundle"
    for m in bundle["evidence"]:
        assert m["text_sha256"] == hashlib.sha256(m["text"].encode()).hexdigest()
        assert m["role"] in ("subject", "target", "other")
    roles = {m["role"] for m in bundle["evidence"]}
    assert {"subject", "target"} <= roles
    assert {s["id"] for s in bundle["signals"]} >= {"age_probe", "secrecy_request"}
    assert bundle["timeline"] and bundle["audit"]
    assert bundle["audit_chain"]["verified"] is True
    assert bundle["audit"][0]["kind"] == "opened"
    page = (out / f"{populated.case_id}.html").read_text()
    assert "keep this our secret" in page and "Audit trail" in page


async def test_export_is_audited_with_the_bundle_hash(populated, tmp_path):
    out = tmp_path / "b"
    result = await asyncio.to_thread(export, populated.path, populated.case_id, out)
    assert result.exit_code == 0
    store = SqliteCaseStore(populated.path)
    try:
        last = (await store.events(populated.case_id))[-1]
        assert last.kind == "exported"
        data = (out / f"{populated.case_id}.json").read_bytes()
        assert last.detail["bundle_sha256"] == hashlib.sha256(data).hexdigest()
        assert await store.verify_chain() is None
    finally:
        await store.close()


async def test_html_escapes_message_text_and_never_holds_images(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = SqliteCaseStore(path)
    hostile = msg("m1", "p_subject", HOSTILE).model_copy(update={"attachment_count": 3})
    await store.open_case(make_case("NG-X"), [hostile, msg("m2", "p_target", "ok")])
    await store.close()
    out = tmp_path / "b"
    assert (await asyncio.to_thread(export, path, "NG-X", out)).exit_code == 0
    page = (out / "NG-X.html").read_text()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in page
    assert "3 (not included)" in page
    assert "data:image" not in page and "base64" not in page
    bundle = json.loads((out / "NG-X.json").read_text())
    assert bundle["evidence"][0]["text"] == HOSTILE
    assert bundle["evidence"][0]["attachments_included"] is False


def test_without_out_the_bundle_goes_to_stdout(populated):
    result = export(populated.path, populated.case_id)
    assert result.exit_code == 0
    assert json.loads(result.output)["case"]["id"] == populated.case_id


def test_unknown_case_is_a_clear_error(populated, tmp_path):
    result = export(populated.path, "NG-NOPE", tmp_path / "b")
    assert result.exit_code != 0 and "no case NG-NOPE" in result.output
    assert not (tmp_path / "b").exists()
