"""Assembling an engine from settings: stores, key, adapters and sinks."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

from nudgeguard import plugins
from nudgeguard.adapter import Adapter
from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cases.store import CaseStore, StoreError
from nudgeguard.config import STORE_ENV, Secrets, Settings, default_store_path
from nudgeguard.delivery.sinks import load_sinks
from nudgeguard.engine import Engine
from nudgeguard.pipeline.detectors import Detector, default_detectors
from nudgeguard.policy import load_policy
from nudgeguard.privacy import Pseudonymizer
from nudgeguard.privacy.retention import RetentionService

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: str | Path | None) -> bool:
    """Return True when a ``--store`` value names a PostgreSQL database, not a file."""
    return target is not None and str(target).startswith(_POSTGRES_SCHEMES)


def open_store(target: str | Path | None = None) -> CaseStore:
    """Open the case store named by ``target`` (or ``$NUDGEGUARD_STORE``, or the data dir).

    Args:
        target: An SQLite file path, or a ``postgresql://`` URL (the same database the bot
            uses at scale). A URL must not carry a password: libpq takes it from
            ``PGPASSWORD`` or ``~/.pgpass``, so it never shows in shell history.

    Raises:
        StoreError: A URL with a password, PostgreSQL without the ``postgres`` extra, or a
            file that is not a nudgeguard case store.
    """
    if target is None or target == "":
        return SqliteCaseStore(default_store_path())
    text = str(target)
    if not is_postgres_url(text):
        return SqliteCaseStore(Path(text))
    try:
        url = urlparse(text)
        url.port  # noqa: B018 - parsing the port is what rejects a malformed one
    except ValueError as exc:
        raise StoreError(f"--store: not a valid PostgreSQL URL ({exc})") from None
    if url.password:
        raise StoreError("--store: leave the password out of the URL; use PGPASSWORD or ~/.pgpass")
    try:
        from nudgeguard.cases.postgres import PostgresCaseStore
    except ImportError:
        raise StoreError("a PostgreSQL store needs: pip install 'nudgeguard[postgres]'") from None
    return PostgresCaseStore(text)


def store_name(target: str | Path | None = None) -> str:
    """Return the case store a ``--store`` value (or its default) names, for printing."""
    if target is None or target == "":
        return str(default_store_path())
    return str(target)


def open_existing_store(target: str | Path | None = None) -> tuple[CaseStore, str]:
    """Open a case store that must already exist; return it with its printable name.

    For commands that read cases: a mistyped path is an error, not a new empty store.

    Raises:
        StoreError: The SQLite file does not exist (or see :func:`open_store`).
    """
    name = store_name(target)
    if not is_postgres_url(name) and name != ":memory:" and not Path(name).exists():
        raise StoreError(
            f"no case store at {name} (give --store PATH or set {STORE_ENV};"
            " demo and chat print the store they use)"
        )
    return open_store(target), name


async def pseudonymizer_for(store: CaseStore, *, create: bool = True) -> Pseudonymizer:
    """Return the pseudonymizer: key from ``$NUDGEGUARD_PSEUDONYM_KEY``, else the store's own.

    A store without a configured key generates one on first use and keeps it, so
    pseudonyms stay stable across restarts. Setting the environment key is recommended:
    then the database alone cannot link pseudonyms to ids.

    Args:
        store: The case store.
        create: False for commands that look people up (erasure, access): a key made up
            now would match nobody, so they fail instead and write nothing.

    Raises:
        StoreError: ``create`` is False and there is no key to use.
    """
    configured = Secrets().pseudonym_key
    if configured is not None:
        return Pseudonymizer(configured.get_secret_value().encode())
    saved = await store.get_setting("pseudonym_key")
    if saved is None and not create:
        raise StoreError(
            "no pseudonym key: set NUDGEGUARD_PSEUDONYM_KEY to the key the bot uses"
            " (this store holds none); nothing was changed"
        )
    if saved is None:
        key = Pseudonymizer.new_key()
        await store.set_setting("pseudonym_key", base64.b64encode(key).decode())
        return Pseudonymizer(key)
    return Pseudonymizer(base64.b64decode(saved))


def load_adapter(name: str, section: dict[str, object]) -> Adapter:
    """Import and build the adapter registered under ``name``.

    Adapters come from the ``nudgeguard.adapters`` entry-point group; only configured
    adapters are imported.

    Raises:
        ValueError: No such adapter, its extra is not installed, or its section is invalid.
    """
    cls = plugins.load_class("nudgeguard.adapters", name, Adapter, extra=name)
    adapter: Adapter = cls.from_config(section)
    return adapter


def load_detector(name: str) -> Detector:
    """Build the optional detector registered under ``name`` (group ``nudgeguard.detectors``).

    The entry point names a zero-argument factory or class returning a detector.

    Raises:
        ValueError: No such detector, or its extra is not installed.
    """
    factory = plugins.load_callable("nudgeguard.detectors", name, extra=name)
    try:
        detector = factory()  # type: ignore[operator]
    except ImportError as exc:
        raise plugins.PluginError(
            f"detector {name!r} needs its extra installed: pip install 'nudgeguard[{name}]'"
            f" ({exc.name})"
        ) from None
    if not isinstance(detector, Detector):
        raise plugins.PluginError(f"detector {name!r} does not provide name and detect()")
    return detector


async def build_engine(
    settings: Settings,
    store_path: str | Path | None = None,
    extra_adapters: Sequence[Adapter] = (),
) -> Engine:
    """Build an engine with the configured policy, stores and adapters.

    ``state:`` and ``cases:`` choose the backends (see :mod:`nudgeguard.state.stores.backends`);
    an unreachable Redis or PostgreSQL is logged, not fatal.
    """
    from nudgeguard.state.stores.backends import BackendError, check, open_cases, open_state
    from nudgeguard.state.stores.resilient import OUTAGES

    store = open_cases(settings.cases, store_path)
    state = open_state(settings.state)
    adapters = [load_adapter(n, s) for n, s in settings.adapter_sections.items()]
    detectors = [*default_detectors(), *(load_detector(n) for n in settings.detectors)]
    await check(state, store)
    try:
        pseudonyms = await pseudonymizer_for(store)
    except OUTAGES:
        raise BackendError(
            "the case database is unreachable and NUDGEGUARD_PSEUDONYM_KEY is not set;"
            " set the key (recommended with several processes) or start the database"
        ) from None
    return Engine(
        load_policy(settings.policy),
        cases=store,
        state=state,
        adapters=[*adapters, *extra_adapters],
        sinks=load_sinks(settings.sinks),
        detectors=detectors,
        pseudonymizer=pseudonyms,
        languages=settings.languages,
        countries=settings.helpline_countries(),
        services=[RetentionService(settings.privacy)],
    )
