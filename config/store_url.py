"""The store's database: which URL, and whether the hub can use it, checked before anything starts.

`obm-hub run` and `obm-hub check` call `check_store()` before Prefect or the sandbox starts, so that a
wrong `OBM_HUB_DATABASE_URL` is one line naming the variable and the fix instead of tracebacks after a
minute of start-up. What is refused, in order:
- a value that is no SQLAlchemy URL (`notaurl`): https://docs.sqlalchemy.org/en/20/core/engines.html#database-urls
- a dialect or driver that is not installed (PostgreSQL needs the `postgres` extra, psycopg 3);
- an SQLite file in a folder that does not exist: a typo in a path must not create a new, empty store
  somewhere else (only the default `<var>/hub.db` is created, in the var dir the hub prepares);
- a server that cannot be reached, a database that does not exist, a refused user: one connection is
  opened (`create_engine(...).connect()`) and closed.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import URL, create_engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from config.errors import ConfigError, ConfigProblem
from config.redaction import redact, register_secret
from config.settings import ENV_PREFIX, HubSettings
from sync.store import default_url

VARIABLE = f"{ENV_PREFIX}DATABASE_URL"
CONNECT_TIMEOUT_SECONDS = 5
EXAMPLES = "sqlite:////path/to/hub.db or postgresql+psycopg://user@host:5432/dbname"
# PostgreSQL's SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_MISSING_DATABASE = "3D000"  # invalid_catalog_name
_REFUSED_LOGIN = ("28000", "28P01")  # invalid_authorization_specification, invalid_password


def store_url(settings: HubSettings) -> str:
    """The store's URL: `OBM_HUB_DATABASE_URL`, or SQLite at `<var>/hub.db`."""
    return settings.database_url or default_url(settings.var_dir)


def check_store(settings: HubSettings) -> None:
    """ConfigError (one problem, naming the variable and the fix) when the store cannot be used."""
    message = _store_problem(settings)
    if message is not None:
        source = VARIABLE if settings.database_url else f"default: {store_url(settings)}"
        raise ConfigError([ConfigProblem("database_url", source, message)])


def _store_problem(settings: HubSettings) -> str | None:
    try:
        url = make_url(store_url(settings))
    except ArgumentError:
        return f"not a database URL; set it like {EXAMPLES}, or unset it for SQLite under the var dir"
    register_secret(url.password if isinstance(url.password, str) else None)
    try:
        url.get_dialect()
    except NoSuchModuleError:
        return f"unknown database kind {url.drivername!r}; use {EXAMPLES}"
    if url.get_dialect().is_async:
        return f"{url.drivername} is an asyncio driver and the store is synchronous; use {EXAMPLES}"
    if url.get_backend_name() == "sqlite":
        return _sqlite_problem(url, default=settings.database_url is None)
    return _connection_problem(url)


def _sqlite_problem(url: URL, *, default: bool) -> str | None:
    if default or not url.database or url.database == ":memory:":
        return None
    folder = Path(url.database).parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist; create it, or correct the path in the URL"
    return _connection_problem(url)


def _connection_problem(url: URL) -> str | None:
    shown = url.render_as_string(hide_password=True)
    # libpq's connect_timeout (https://www.postgresql.org/docs/current/libpq-connect.html): a host that
    # drops packets must not hold the start for minutes.
    libpq = url.get_driver_name() in ("psycopg", "psycopg2")
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if libpq else {}
    try:
        engine = create_engine(url, connect_args=connect_args)
    except ImportError as exc:
        hint = " (pip install 'obm-hub[postgres]')" if url.get_backend_name() == "postgresql" else ""
        return f"the driver for {url.drivername} is not installed ({exc.name}){hint}"
    try:
        with engine.connect():
            return None
    except DBAPIError as exc:
        return _refusal(exc, url, shown)
    finally:
        engine.dispose()


def _refusal(exc: DBAPIError, url: URL, shown: str) -> str:
    text = str(exc.orig).strip()
    # A refusal at log-in carries no SQLSTATE in psycopg's exception, only the server's FATAL line.
    code = getattr(exc.orig, "sqlstate", None)
    if code == _MISSING_DATABASE or re.search(r'FATAL: +database ".*" does not exist', text):
        return f"the database {url.database!r} does not exist on {url.host}; create it, or correct the URL"
    if code in _REFUSED_LOGIN or re.search(r"FATAL: +(role .* does not exist|password authentication)", text):
        return f"{url.host} refused the user {url.username!r}; check the user and password in the URL"
    reason = redact(text.splitlines()[0]) if text else type(exc.orig).__name__
    return f"cannot connect to {shown} ({reason}); check that the server runs, and the host and port"
