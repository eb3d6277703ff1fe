"""Credentials about to expire, from a real store: the loader reads the expiry the hub recorded in the
memo, says "expiring" within `credentials_warning_days` (failing once passed), and the headline turns
amber for it (red once passed), with the one line saying what to do."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from config.hub_file import HubFile, read_hub_file
from config.loader import SANDBOX_HUB_FILE
from summary import Period, build_summary
from summary.load import summary_input
from summary.render.json_out import render_json
from summary.render.markdown import render_markdown
from sync.store import Store, journal
from sync.store.memo import record_credentials_check

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
KEY = "brightpath"
SCHEMA = Path(__file__).resolve().parents[2] / "summary" / "summary.schema.json"
FIX = "create a new one at https://trello.com/app-key and set OBM_HUB_TRELLO__TOKEN"


@pytest.fixture
def store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'hub.db'}", clock=lambda: NOW)
    # A good sync an hour ago, so that nothing but the credentials colours the headline.
    for relation in ("read:trello", "tasks"):
        with store.transaction() as connection:
            run_id = journal.start_run(
                connection, KEY, relation, label="run", dry_run=False, now=NOW - timedelta(hours=1)
            )
            journal.finish_run(connection, run_id, "ok", NOW - timedelta(minutes=59))
    yield store
    store.close()


def workspace(**summary: object):
    data = read_hub_file(SANDBOX_HUB_FILE)
    data["workspaces"][KEY]["summary"].update(summary)
    return HubFile.model_validate(data).workspaces[KEY]


def trello_and_headline(store: Store, **summary: object):
    chosen = workspace(**summary)
    source = summary_input(store, KEY, chosen, now=NOW)
    [trello] = [status for status in source.services if status.service == "trello"]
    result = build_summary(source, Period.day(date(2026, 11, 26)))
    return trello, result


def expire_in(store: Store, delta: timedelta | None) -> datetime | None:
    expire_at = None if delta is None else NOW + delta
    record_credentials_check(store.memo(KEY, "trello"), NOW, expire_at, answered=True)
    return expire_at


def test_a_token_expiring_within_the_warning_days_is_expiring_and_the_headline_amber(store):
    expire_at = expire_in(store, timedelta(days=3, hours=2))
    trello, result = trello_and_headline(store)
    assert trello.credentials == "expiring" and trello.credentials_expire_at == expire_at
    # The workspace's zone (Europe/Paris) says which day: 29 November, 12:00 there.
    assert trello.credentials_message == f"the Trello token expires on 2026-11-29: {FIX}"
    assert result.headline.level == "amber"
    assert [(r.level, r.code, r.count) for r in result.headline.reasons] == [
        ("amber", "credentials_expiring", 1)
    ]
    markdown = render_markdown(result)
    assert "the Trello token expires on 2026-11-29" in markdown and "https://trello.com/app-key" in markdown
    data = json.loads(render_json(result))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(data)
    [shown] = [status for status in data["health"]["services"] if status["service"] == "trello"]
    assert (shown["credentials"], shown["credentials_expire_at"]) == ("expiring", "2026-11-29T12:00:00+01:00")


def test_the_warning_days_are_a_summary_setting(store):
    expire_in(store, timedelta(days=10))
    trello, result = trello_and_headline(store)  # the default: 7 days
    assert (trello.credentials, trello.credentials_message, result.headline.level) == ("ok", None, "green")
    trello, result = trello_and_headline(store, credentials_warning_days=14)
    assert (trello.credentials, result.headline.level) == ("expiring", "amber")
    assert result.settings.credentials_warning_days == 14


def test_a_token_that_never_expires_or_was_never_read_is_ok(store):
    trello, result = trello_and_headline(store)
    assert (trello.credentials, trello.credentials_expire_at, result.headline.level) == ("ok", None, "green")
    expire_in(store, None)
    trello, result = trello_and_headline(store)
    assert (trello.credentials, trello.credentials_expire_at, result.headline.level) == ("ok", None, "green")


def test_a_passed_expiry_is_failing_and_red(store):
    expire_in(store, -timedelta(hours=1))
    trello, result = trello_and_headline(store)
    assert trello.credentials == "failing"
    assert trello.credentials_message == f"the Trello token expired on 2026-11-26: {FIX}"
    assert result.headline.level == "red"
    assert "credentials_failing" in [reason.code for reason in result.headline.reasons]


def test_a_refused_read_says_failing_with_its_own_line_whatever_the_expiry(store):
    expire_in(store, timedelta(days=2))
    with store.transaction() as connection:
        run_id = journal.start_run(connection, KEY, "read:trello", label="later", dry_run=False, now=NOW)
        line = "trello GET /boards/{boardId}/actions returned 401: check the credentials"
        journal.finish_run(connection, run_id, "failed", NOW, errors=(line,), failure="auth")
    trello, result = trello_and_headline(store)
    assert (trello.credentials, trello.credentials_message) == ("failing", line)
    assert result.headline.level == "red"


def test_an_unanswered_check_keeps_the_expiry_read_before(store):
    expire_at = expire_in(store, timedelta(days=3))
    memo = store.memo(KEY, "trello")
    record_credentials_check(memo, NOW + timedelta(days=1), None, answered=False)
    trello, _ = trello_and_headline(store)
    assert (trello.credentials, trello.credentials_expire_at) == ("expiring", expire_at)
