"""Nudge wording and helplines."""

from nudgeguard.nudges.catalog import Catalog, Helpline, catalog, helplines

__all__ = ["Catalog", "Helpline", "catalog", "helplines"]
