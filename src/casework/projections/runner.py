"""The catch-up loop that feeds the notification log to views.

Each batch is read once and decoded once for every view it runs; the rows of all
those views and each view's new position are written in one transaction that
first checks every view is still where this runner left it. A crash anywhere
leaves the previous batch's position and rows, never half a batch: exactly once.
"""

import gc
import os
import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, and_, func, or_, select, update

from casework.projections.connection import WRITE_LOCK
from casework.projections.tables import RETIRED, erased_cases, view_generations
from casework.projections.view import Item, View
from casework.store.envelope import raw_key_id
from casework.store.errors import RecordErased
from casework.store.keyring import ORGANISATION_SCOPE

BATCH_SIZE = 2000


class ViewMoved(Exception):  # noqa: N818 - a signal to reload, not a failure
    """A view is no longer where this runner left it (another runner advanced it,
    a rebuild switched generations, or it was removed)."""


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Runner:
    def __init__(
        self,
        app: Any,
        engine: Engine,
        views: Sequence[View],
        batch_size: int = BATCH_SIZE,
        name: str | None = None,
    ) -> None:
        self.app = app
        self.engine = engine
        self.views = list(views)
        self.batch_size = batch_size
        self.name = name or runner_name()
        self.positions: dict[str, int] = {}
        self._erased: set[UUID] = set()
        self._erased_keys: set[bytes] = set()  # raw key ids, as in envelope headers
        self._erased_count = -1
        self.reload()

    def reload(self) -> None:
        """Read each view's position afresh and drop every cached row."""
        for view in self.views:
            view.forget()
        with self.engine.connect() as connection:
            rows = connection.execute(self._generations_query()).all()
            self._refresh_erased(connection)
        found = {r.view: r.position for r in rows if r.status != RETIRED}
        missing = [v.name for v in self.views if v.name not in found]
        if missing:
            raise ViewMoved(f"no generation {self.views[0].generation} of {missing}")
        self.positions = found

    def _generations_query(self) -> Any:
        g = view_generations.c
        return (
            select(g.view, g.generation, g.position, g.status)
            .where(or_(*(and_(g.view == v.name, g.generation == v.generation) for v in self.views)))
            .order_by(g.view, g.generation)
        )

    @property
    def position(self) -> int:
        return min(self.positions.values())

    def step(self) -> int:
        """Project one batch; returns how many notifications it covered (0 when caught up)."""
        notifications = self.app.recorder.select_notifications(
            self.position, self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        # A batch makes many short-lived, acyclic objects; left on, the cyclic
        # collector would rescan every cached row again and again as they pile up.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._write(self.decode(notifications), notifications[-1].id)
        except BaseException:
            for view in self.views:
                view.forget()
            raise
        finally:
            if collecting:
                gc.enable()
        return len(notifications)

    def decode(self, notifications: Sequence[Any]) -> list[Item]:
        keyring = self.app.keyring
        to_domain_event = self.app.mapper.to_domain_event
        items = []
        for n in notifications:
            key_id = raw_key_id(n.state)
            if key_id in self._erased_keys:
                continue
            try:
                scope = keyring.by_raw_id(key_id).scope_id
            except RecordErased:
                self._erased_keys.add(key_id)
                continue
            case_id = None if scope == ORGANISATION_SCOPE else scope
            item = Item(n.id, to_domain_event(n), case_id)
            if not self._of_erased_case(item):
                items.append(item)
        return items

    def _of_erased_case(self, item: Item) -> bool:
        """Sealed under an erased case's key, or an organisation record naming it."""
        return bool(self._erased) and (
            item.case_id in self._erased or getattr(item.event, "case_id", None) in self._erased
        )

    def _refresh_erased(self, connection: Connection) -> bool:
        """Notice erasures made by other processes; True if there were new ones."""
        count = connection.scalar(select(func.count()).select_from(erased_cases))
        if count == self._erased_count:
            return False
        self._erased = set(connection.scalars(select(erased_cases.c.case_id)))
        for case_id in self._erased:
            self.app.keyring.forget_cached(case_id)
        self._erased_count = count or 0
        return True

    def _write(self, items: list[Item], last: int) -> None:
        now = datetime.now(tz=UTC)
        with self.engine.connect() as c:
            connection = c.execution_options(**{WRITE_LOCK: True})
            with connection.begin():
                current = connection.execute(self._generations_query().with_for_update()).all()
                if {r.view: r.position for r in current} != self.positions or any(
                    r.status == RETIRED for r in current
                ):
                    raise ViewMoved("another runner or a rebuild moved a view")
                if self._refresh_erased(connection):
                    for view in self.views:
                        view.forget()
                    items = [i for i in items if not self._of_erased_case(i)]
                for view in self.views:
                    since = self.positions[view.name]
                    mine = [i for i in items if i.position > since]
                    view.begin(connection)
                    view.prepare(mine)
                    view.apply_all(mine)
                    view.flush(connection)
                g = view_generations.c
                for view in self.views:
                    connection.execute(
                        update(view_generations)
                        .where(g.view == view.name, g.generation == view.generation)
                        .values(
                            position=last,
                            updated_at=now,
                            heartbeat_at=now,
                            runner=self.name,
                            last_error=None,
                        )
                    )
        self.positions = dict.fromkeys(self.positions, last)

    def heartbeat(self, error: str | None = None) -> None:
        """Say this runner is alive (and what failed, if something did)."""
        g = view_generations.c
        with self.engine.begin() as connection:
            for view in self.views:
                connection.execute(
                    update(view_generations)
                    .where(g.view == view.name, g.generation == view.generation)
                    .values(heartbeat_at=datetime.now(tz=UTC), runner=self.name, last_error=error)
                )
