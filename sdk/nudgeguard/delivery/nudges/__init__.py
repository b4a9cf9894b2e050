"""Nudge wording and helplines."""

from nudgeguard.delivery.nudges.catalog import (
    Catalog,
    Helpline,
    catalog,
    child_helpline,
    helplines,
    in_locale,
)

__all__ = ["Catalog", "Helpline", "catalog", "child_helpline", "helplines", "in_locale"]
