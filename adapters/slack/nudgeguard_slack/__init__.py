"""Slack adapter for nudgeguard, on slack-bolt's AsyncApp.

Install with ``pip install 'nudgeguard[slack]'``; it is found through the
``nudgeguard.adapters`` entry point as ``slack``.
"""

from nudgeguard_slack.adapter import SlackAdapter
from nudgeguard_slack.settings import SlackSecrets, SlackSettings

__all__ = ["SlackAdapter", "SlackSecrets", "SlackSettings"]
