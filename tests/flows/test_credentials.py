"""End to end, without Prefect: a workspace runner against the Trello emulator over real HTTP, with a
real SQLite store. The sandbox token is set to expire in three days through the admin action another
process would call; the runner reads the expiry once a day (one request, journaled with the run), never
with the sync's reads, and the summary says the credentials expire and why the headline is amber."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from config import load_settings
from flows.runner import WorkspaceRunner, today_in
from sandbox.business import load_workspace
from summary import Period
from sync.store import Store
from tests.conftest import fast_options

KEY = "brightpath"
TOKEN_PATH = ("trello", "/tokens/{token}")


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("trello",), rate_limits=False)


def expire(sandbox, at: datetime) -> None:
    url = sandbox.root_url("trello") + "/_sandbox/actions/set_token_expiry"
    assert httpx.post(url, json={"expires": at.isoformat()}, timeout=5).status_code == 200


def requests(sandbox, since: int) -> Counter:
    return Counter((entry.service, entry.path) for entry in sandbox.log.entries()[since:])


def test_a_near_expiry_is_read_once_a_day_and_the_summary_warns(sandbox, tmp_path):
    now = [datetime.now(UTC).replace(microsecond=0)]
    store = Store.open(f"sqlite:///{tmp_path / 'hub.db'}", clock=lambda: now[0])
    expire_at = now[0] + timedelta(days=3)
    expire(sandbox, expire_at)
    settings = sandbox.settings(load_settings())
    with WorkspaceRunner(KEY, load_workspace(), settings, store, options=fast_options()) as runner:
        runner.services = ["trello"]  # only Trello is served here
        assert runner.read("trello").ok
        # The sync's read does not ask for the token's record.
        assert TOKEN_PATH not in requests(sandbox, 0)

        before = len(sandbox.log.entries())
        assert runner.check_credentials() == []
        assert runner.check_credentials() == []  # the same day: not asked again
        now[0] += timedelta(hours=23)
        assert runner.check_credentials() == []
        assert requests(sandbox, before) == {TOKEN_PATH: 1}

        summary = runner.summarize(Period.day(today_in(runner.workspace, now[0])), publish=False).summary
    [trello] = [status for status in summary.health.services if status.service == "trello"]
    assert (trello.credentials, trello.credentials_expire_at) == ("expiring", expire_at)
    day = expire_at.astimezone(trello.credentials_expire_at.tzinfo).date().isoformat()
    assert trello.credentials_message == (
        f"the Trello token expires on {day}: create a new one at https://trello.com/app-key and set "
        "OBM_HUB_TRELLO__TOKEN"
    )
    assert summary.headline.level in ("amber", "red")
    assert "credentials_expiring" in [reason.code for reason in summary.headline.reasons]
    # The check's request is counted with the run's: the read's and the check's.
    checks = [run for run in store.runs(KEY) if run.relation == "credentials:trello"]
    assert [(run.outcome, run.requests) for run in checks] == [("ok", {"trello": 1})]
    read = next(run for run in store.runs(KEY) if run.relation == "read:trello")
    assert trello.requests_last_run == read.requests["trello"] + 1

    # A day later it is asked again; the token has been renewed meanwhile and never expires.
    now[0] += timedelta(hours=2)
    sandbox.emulators["trello"].set_token_expiry()
    with WorkspaceRunner(KEY, load_workspace(), settings, store, options=fast_options()) as runner:
        runner.services = ["trello"]
        before = len(sandbox.log.entries())
        assert runner.check_credentials() == []
        assert requests(sandbox, before) == {TOKEN_PATH: 1}
        summary = runner.summarize(Period.day(today_in(runner.workspace, now[0])), publish=False).summary
    [trello] = [status for status in summary.health.services if status.service == "trello"]
    assert (trello.credentials, trello.credentials_expire_at, trello.credentials_message) == (
        "ok",
        None,
        None,
    )
    store.close()


def test_no_check_after_a_refused_read_and_a_failed_check_is_a_line_not_a_failure(sandbox, tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'hub.db'}")
    settings = sandbox.settings(load_settings())
    wrong = settings.model_copy(
        update={"trello": settings.trello.model_copy(update={"token": SecretStr("wrong")})}
    )
    with WorkspaceRunner(KEY, load_workspace(), wrong, store, options=fast_options()) as runner:
        runner.services = ["trello"]
        assert runner.read("trello").failure == "auth"
        before = len(sandbox.log.entries())
        assert runner.check_credentials() == []
        assert requests(sandbox, before) == Counter()  # known bad: not asked
    with WorkspaceRunner(KEY, load_workspace(), wrong, store, options=fast_options()) as runner:
        runner.services = ["trello"]  # no read in this run: the check is made, and refused
        [line] = runner.check_credentials()
    assert line.startswith("trello GET /tokens/{token} returned 401") and "wrong" not in line
    [check] = [run for run in store.runs(KEY) if run.relation == "credentials:trello"]
    assert (check.outcome, check.failure, check.requests) == ("failed", "auth", {"trello": 1})
    store.close()
