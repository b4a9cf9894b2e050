"""Shared backends for several bot processes: Redis working memory, resilience wrappers.

Import the concrete modules directly (``nudgeguard.state.stores.redis_state``); they need the
``redis`` extra, which this package's ``__init__`` does not import.
"""
