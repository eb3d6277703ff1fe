"""What the connector remembers of the token's user between runs, so that a quiet run spends almost
nothing of the token's `/me` bucket (30 requests per hour on every plan, for all the workspaces the
token serves): whether she administers the workspace, and her Toggl user id.

Kept in the connector's memo (the store's, per workspace and service):
- `admin-checked-at:<workspace id>`: when Toggl last said she is an admin. The check is one request,
  `GET /me?with_related_data=true` (her id and her role in each of her workspaces: `GET
  /me/workspaces` and `GET /me` in one; the answer also carries her projects, tags and the last
  days' entries, a larger body once a day rather than a second request from a bucket of 30). A check
  younger than a day stands; an older one is made again. A non-admin answer is never kept (it fails
  the run, or reads her own entries only, every time). A 401/403 on any other request still fails
  the run at once, as before.
- `token-user-id:<workspace id>`: her Toggl user id (from each admin check, so a token swapped for
  another user's is noticed within a day too, and from her running entry when read), by which the
  connector finds her latest activity on the workspace dashboard and asks `GET
  /me/time_entries/current` only when it is a running timer.

What the day of caching risks: a token demoted from admin (or replaced by a non-admin's) is noticed
within a day only; meanwhile the Reports API answers with her own entries alone, and that snapshot
would say the team's entries were deleted. The guard (`TogglConnector.fetch_changes`): when the
rows hold one member's entries only (or none) while the store holds another member's stopped entry
in the window that the rows leave out (no owner id needed, so a swapped token is caught too), the
admin flag is checked again before the snapshot is returned (the check's one request; a team whose
members all deleted their entries pays it once, on the run that drops them). A read given no store
copies to compare with (the first, or a full re-read: the engine passes `known` with a cursor only)
always makes the check. A replaced owner id (a token swapped for another admin's) costs at most a
day in which her running timer looks like a teammate's (no id, tags or billable flag until it
stops); nothing is lost.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime, timedelta

from connectors.toggl.client import TogglClient
from connectors.toggl.team import admin_of
from sync.connector import Clock

ADMIN_EVERY = timedelta(days=1)


class TokenUser:
    """The token's user as far as one workspace needs her: admin or not, and her user id."""

    def __init__(
        self, client: TogglClient, workspace_id: int, memo: MutableMapping[str, str], clock: Clock
    ) -> None:
        self._client = client
        self._workspace_id = workspace_id
        self._memo = memo
        self._clock = clock
        self._admin_key = f"admin-checked-at:{workspace_id}"
        self._user_key = f"token-user-id:{workspace_id}"
        self.checked_now = False  # whether this connector asked Toggl (then no re-check helps)

    def admin(self) -> bool:
        """Whether she administers the workspace: as remembered when checked less than a day ago,
        else asked."""
        checked = self._checked_at()
        if checked is not None and timedelta(0) <= self._clock() - checked < ADMIN_EVERY:
            return True
        return self.recheck()

    def recheck(self) -> bool:
        """Ask Toggl now (1 request: `GET /me?with_related_data=true`, her user id and her role in
        each of her workspaces); remember an admin answer and her id, forget a non-admin one."""
        now = self._clock()
        self.checked_now = True
        user = self._client.get_me(with_related_data=True)
        self.learn(user.id)
        if not admin_of(user.workspaces or [], self._workspace_id):
            self._memo.pop(self._admin_key, None)
            return False
        self._memo[self._admin_key] = now.isoformat()
        return True

    @property
    def user_id(self) -> int | None:
        value = self._memo.get(self._user_key)
        return int(value) if value is not None and value.isdigit() else None

    def learn(self, user_id: int | None) -> None:
        if user_id is not None and self.user_id != user_id:
            self._memo[self._user_key] = str(user_id)

    def _checked_at(self) -> datetime | None:
        value = self._memo.get(self._admin_key)
        if value is None:
            return None
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return None
        return at if at.tzinfo is not None else None
