"""Slack adapter for nudgeguard, on slack-bolt's AsyncApp."""
