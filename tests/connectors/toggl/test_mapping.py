"""Toggl <-> canonical time entries, on real-shaped payloads (fixtures/, after NOTES.md §3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.directory import Directory
from connectors.errors import BadData
from connectors.toggl.mapping import (
    format_time,
    link_id_of,
    parse_time,
    same_version,
    to_payload,
    to_remote,
    to_time_entry,
)
from connectors.toggl.models import TogglTimeEntry
from sandbox.business import load_workspace
from sync.model import TimeEntry
from tests.contract.spec import load_spec

FIXTURES = Path(__file__).parent / "fixtures"
DIRECTORY = Directory.from_workspace(load_workspace())
SOPHIE, LEA = "sophie@brightpath.coach", "lea@brightpath.coach"
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def fixture(name: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data.pop("_source")
    return data


def raw(name: str, **changes: Any) -> TogglTimeEntry:
    return TogglTimeEntry.model_validate({**fixture(name), **changes})


def entry(name: str, **changes: Any) -> TimeEntry:
    return to_time_entry(raw(name, **changes), DIRECTORY, {})


@pytest.mark.parametrize("name", sorted(path.stem for path in FIXTURES.glob("*.json")))
def test_fixtures_are_shaped_like_the_official_spec(name: str) -> None:
    url = "https://api.track.toggl.com/api/v9/me/time_entries"
    assert load_spec("toggl").check_response("GET", url, 200, [fixture(name)]) == []


def test_a_timer_started_through_the_api_runs_with_duration_minus_one() -> None:
    running = entry("running_minus_one")
    assert running.running and running.stop is None and running.duration_seconds is None
    assert running.start == datetime(2026, 11, 25, 9, 2, 41, tzinfo=UTC)
    assert running.tags == frozenset()  # tags: null
    assert running.elapsed(NOW) == NOW - running.start == timedelta(minutes=27, seconds=19)


def test_a_timer_started_in_the_app_runs_with_minus_its_start_epoch() -> None:
    data = raw("running_minus_epoch")
    running = to_time_entry(data, DIRECTORY, {})
    assert running.running and running.stop is None
    assert running.person == LEA and running.project == "operations"
    # Both readings of the running time agree: now + duration, and now - start.
    assert running.elapsed(NOW) == timedelta(seconds=NOW.timestamp() + data.duration) == timedelta(minutes=47)


def test_a_stopped_entry() -> None:
    stopped = entry("stopped")
    assert stopped == TimeEntry(
        person=SOPHIE,
        project="signature coaching program",
        task_ref=None,
        description="Prepare session notes for Nadia Haddad",
        start=datetime(2026, 11, 24, 13, 30, tzinfo=UTC),
        stop=datetime(2026, 11, 24, 14, 45, tzinfo=UTC),
        duration_seconds=4500,
        billable=True,
        tags=frozenset({"client"}),
    )
    assert stopped.elapsed(NOW) == timedelta(minutes=75)
    assert stopped.start.tzinfo is UTC


def test_the_version_is_at_and_the_remote_id_is_the_entry_id() -> None:
    remote = to_remote(raw("stopped"), DIRECTORY, {})
    assert (remote.remote_id, remote.version, remote.link_id) == (
        "4061520933",
        "2026-11-24T14:45:03.1067Z",
        None,
    )
    assert same_version("2026-11-24T14:45:03.1067Z", "2026-11-24T14:45:03.106700+00:00")
    assert not same_version("2026-11-24T14:45:03.1067Z", "2026-11-24T14:45:03.1068Z")


def test_a_deleted_entry_is_recognised() -> None:
    assert raw("deleted").deleted and not raw("stopped").deleted


def test_an_entry_without_a_project_or_description() -> None:
    plain = entry("no_project")
    assert (plain.project, plain.description, plain.person) == (None, "", SOPHIE)


def test_the_link_tag_becomes_the_link_and_leaves_the_tags() -> None:
    remote = to_remote(raw("linked"), DIRECTORY, {})
    assert remote.link_id == remote.item.task_ref == "lnk_7f3a9c"
    assert remote.item.tags == frozenset({"client"})
    assert link_id_of(["obm-hub:b", "obm-hub:a"]) == "a"  # deterministic when a copy carries two


def test_null_tags_and_a_missing_stop() -> None:
    assert entry("tags_null").tags == frozenset()
    assert entry("tags_null").stop == datetime(2026, 11, 24, 9, 18, 20, tzinfo=UTC)
    started_only = entry("started_only")  # duration 0, stop null: not running, zero long
    assert not started_only.running
    assert (started_only.stop, started_only.duration_seconds) == (started_only.start, 0)


def test_project_names_come_from_meta_or_from_the_project_list() -> None:
    bare = raw("stopped", project_name=None)
    assert to_time_entry(bare, DIRECTORY, {211748260: "Signature Coaching Program"}).project == (
        "signature coaching program"
    )
    with pytest.raises(BadData, match="unknown in the workspace"):
        to_time_entry(bare, DIRECTORY, {})


def test_someone_the_hub_file_does_not_name_is_no_person() -> None:
    assert entry("stopped", user_id=777).person is None


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"start": "25/11/2026 09:00"}, "not RFC 3339"),
        ({"start": "2026-11-24T13:30:00"}, "without an offset"),
        ({"stop": "2026-11-24T12:00:00+00:00"}, "stops before it starts"),
    ],
)
def test_unmappable_entries_are_bad_data(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(BadData, match=problem):
        entry("stopped", **changes)


def test_times_parse_from_every_toggl_format() -> None:
    expected = datetime(2026, 11, 24, 14, 45, 3, 106700, tzinfo=UTC)
    assert parse_time("2026-11-24T14:45:03.1067Z") == expected
    assert parse_time("2026-11-24T15:45:03.1067+01:00") == expected
    assert format_time(expected) == "2026-11-24T14:45:03Z"


def test_payloads_for_running_and_stopped_entries() -> None:
    running = to_payload(entry("running_minus_one"), link_id="lnk_1", project_id=None).body()
    assert running == {
        "description": "Inbox triage",
        "start": "2026-11-25T09:02:41Z",
        "project_id": None,  # sent as null: an update removes the project
        "billable": False,
        "tags": ["obm-hub:lnk_1"],
        "duration": -1,
    }
    stopped = to_payload(entry("stopped"), link_id=None, project_id=211748260).body()
    assert stopped["stop"] == "2026-11-24T14:45:00Z" and "duration" not in stopped  # Toggl computes it
    assert stopped["tags"] == ["client"]
    create = "https://api.track.toggl.com/api/v9/workspaces/7421983/time_entries"
    body = {"created_with": "obm-hub", "workspace_id": 7421983, **stopped}
    assert load_spec("toggl").check_request("POST", create, body=body) == []


def _as_toggl_would_store(item: TimeEntry, link_id: str) -> TogglTimeEntry:
    """What Toggl answers after a create with this payload (the emulator does the same)."""
    body = to_payload(item, link_id=link_id, project_id=211748260 if item.project else None).body()
    stop = body.get("stop")
    duration = (
        -1 if stop is None else int((parse_time(str(stop)) - parse_time(str(body["start"]))).total_seconds())
    )
    return TogglTimeEntry.model_validate(
        {
            **body,
            "id": 1,
            "workspace_id": 7421983,
            "user_id": 9100002,
            "duration": duration,
            "at": "2026-11-25T09:30:00.5Z",
            "project_name": "Signature Coaching Program" if item.project else None,
        }
    )


seconds = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)


@given(
    start=seconds,
    length=st.one_of(st.none(), st.integers(0, 86_400)),
    description=st.text(max_size=40),
    project=st.booleans(),
    billable=st.booleans(),
    tags=st.frozensets(names.filter(lambda tag: not tag.startswith("obm-hub:")), max_size=3),
)
def test_round_trip(
    start: datetime, length: int | None, description: str, project: bool, billable: bool, tags: frozenset[str]
) -> None:
    item = TimeEntry(
        person=SOPHIE,
        project="signature coaching program" if project else None,
        task_ref="lnk_rt",
        description=description,
        start=start,
        stop=None if length is None else start + timedelta(seconds=length),
        duration_seconds=length,
        billable=billable,
        tags=tags,
    )
    back = to_time_entry(_as_toggl_would_store(item, "lnk_rt"), DIRECTORY, {})
    assert back == item
