"""Transparency reports: what the bot did in each community, without text or ids.

:func:`~nudgeguard.report.data.collect` reads the case store;
:mod:`~nudgeguard.report.render` writes HTML (charts embedded) or Markdown.
"""

from nudgeguard.report.data import CommunityReport, collect
from nudgeguard.report.render import render_html, render_markdown

__all__ = ["CommunityReport", "collect", "render_html", "render_markdown"]
