"""The var dir and the store's database are checked before anything starts (issue 7, defect 11):
one problem naming the variable and the fix, never a secret."""

from __future__ import annotations

import os
import socket

import pytest
from sqlalchemy import make_url

from config import ConfigError, load_settings
from config.dirs import prepare_dirs
from config.store_url import check_store, store_url


def _store_problem(monkeypatch, url: str) -> str:
    monkeypatch.setenv("OBM_HUB_DATABASE_URL", url)
    with pytest.raises(ConfigError) as caught:
        check_store(load_settings())
    assert len(caught.value.problems) == 1 and "\n" not in str(caught.value)
    return str(caught.value.problems[0])


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("OBM_HUB_TEST_PG_URL")
    if not url:
        pytest.skip("OBM_HUB_TEST_PG_URL is not set (CI sets it)")
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_value_that_is_no_url(monkeypatch):
    problem = _store_problem(monkeypatch, "notaurl")
    assert problem.startswith("database_url (OBM_HUB_DATABASE_URL): not a database URL; set it like ")
    assert "postgresql+psycopg://user@host:5432/dbname" in problem


def test_an_unknown_database_kind(monkeypatch):
    assert "unknown database kind 'mysql+nosuchdriver'" in _store_problem(
        monkeypatch, "mysql+nosuchdriver://x/y"
    )


def test_an_asyncio_driver(monkeypatch):
    assert "asyncio driver" in _store_problem(monkeypatch, "postgresql+asyncpg://hub@localhost/hub")


def test_an_sqlite_file_in_a_missing_folder_is_refused_not_created(monkeypatch, tmp_path):
    missing = tmp_path / "no-such-folder"
    problem = _store_problem(monkeypatch, f"sqlite:///{missing / 'hub.db'}")
    assert f"the folder {missing} does not exist; create it, or correct the path" in problem
    assert not missing.exists()


def test_an_sqlite_file_in_an_existing_folder_is_fine(monkeypatch, tmp_path):
    monkeypatch.setenv("OBM_HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    check_store(load_settings())


def test_the_default_store_lives_in_the_var_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(tmp_path / "fresh" / "var"))
    settings = load_settings()
    check_store(settings)  # the default folder is the hub's to create
    assert make_url(store_url(settings)).database == str(tmp_path / "fresh" / "var" / "hub.db")


@pytest.mark.postgres
def test_an_unreachable_server(monkeypatch, pg_url):
    port = _free_port()
    url = make_url(pg_url).set(port=port, password="pg-password-canary")
    problem = _store_problem(monkeypatch, url.render_as_string(hide_password=False))
    assert problem.startswith("database_url (OBM_HUB_DATABASE_URL): cannot connect to ")
    assert f":{port}/" in problem and "check that the server runs, and the host and port" in problem
    assert "pg-password-canary" not in problem


@pytest.mark.postgres
def test_a_missing_database(monkeypatch, pg_url):
    url = make_url(pg_url).set(database="obm_hub_no_such_database")
    problem = _store_problem(monkeypatch, url.render_as_string(hide_password=False))
    assert "the database 'obm_hub_no_such_database' does not exist on " in problem
    assert problem.endswith("create it, or correct the URL")


@pytest.mark.postgres
def test_a_refused_user(monkeypatch, pg_url):
    url = make_url(pg_url).set(username="obm_hub_no_such_user", password="pg-password-canary")
    problem = _store_problem(monkeypatch, url.render_as_string(hide_password=False))
    assert "refused the user 'obm_hub_no_such_user'; check the user and password" in problem
    assert "pg-password-canary" not in problem


@pytest.mark.postgres
def test_a_reachable_database_is_fine(monkeypatch, pg_url):
    monkeypatch.setenv("OBM_HUB_DATABASE_URL", pg_url)
    check_store(load_settings())


def test_a_var_dir_that_cannot_be_a_folder(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(blocker / "var"))
    with pytest.raises(ConfigError) as caught:
        prepare_dirs(load_settings())
    assert str(caught.value) == (
        f"invalid configuration: var_dir (OBM_HUB_VAR_DIR): cannot write to {blocker / 'var'} "
        "(Not a directory); point it at a folder the hub may write to"
    )


def test_prepare_dirs_creates_every_folder_from_nothing(monkeypatch, tmp_path):
    var = tmp_path / "clone" / "var"
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(var))
    monkeypatch.setenv("PREFECT_HOME", str(var / "prefect"))
    assert prepare_dirs(load_settings()) == [var, var / "run", var / "prefect"]
    assert all(path.is_dir() for path in (var, var / "run", var / "prefect"))
