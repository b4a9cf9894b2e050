"""An alert for a case whose post already exists updates that post: never a second post."""

from __future__ import annotations

import json

from nudgeguard import Severity
from nudgeguard_slack import SlackAdapter
from tests.slack.conftest import make_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.test_slack_blocks import make_alert


async def test_a_late_first_alert_updates_the_existing_post(fake_slack: FakeSlack) -> None:
    adapter: SlackAdapter = make_adapter(fake_slack)
    await adapter.refresh_identity()
    ref = await adapter.send_alert(make_alert(severity=Severity.CRITICAL, is_update=True))
    assert len(fake_slack.calls_to("chat.postMessage")) == 1

    # The case's first alert (not flagged as an update) delivered late, e.g. after a retry:
    # the outbox hands it the post reference it stored for the case.
    late = make_alert(severity=Severity.CRITICAL, is_update=False, post_ref=ref)
    again = await adapter.send_alert(late)

    assert again == ref
    assert len(fake_slack.calls_to("chat.postMessage")) == 1, "a second post appeared"
    (update,) = fake_slack.calls_to("chat.update")
    assert update.get("ts") == ref.split("/")[1]
    assert "critical" in json.dumps(update.get("blocks")).lower()
