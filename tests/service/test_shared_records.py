"""A worker opens a case once and shows it to every reader after that (ADR 0062): each
read still sees everything stored since, by this worker or another, nothing a reader
holds changes under it, and an erased case leaves the worker's memory."""

import ast
import copy
import inspect
from uuid import UUID, uuid4

import msgspec
import pytest

from casework.aggregates.base import Role
from casework.aggregates.case import Case
from casework.aggregates.case import aggregate as aggregate_module
from casework.aggregates.case import queries as case_queries
from casework.aggregates.case import values as case_values
from casework.aggregates.staff import RoleNotHeld
from casework.application import Casework
from casework.application.commands.organisation import ChangeRoles
from casework.application.compliance import Erased
from casework.application.shared_records import SharedRecords, own_copy
from casework.demo import build_demo
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.builders.centre import open_family_case, write_note
from tests.builders.compliance_steps import erase_with_four_eyes, family_case


def _notes_of(app: Casework, by: object, case_id: UUID) -> list[str]:
    reading = app.read_case(by, case_id)  # type: ignore[arg-type]
    return sorted(n.narrative for n in reading.case.notes.values())


def test_a_caseworker_reading_her_case_again_sees_the_note_another_worker_recorded(
    store: Casework, settings: Settings, master_key: MasterKey
) -> None:
    centre, case_id = family_case(store, notes=1)
    other_worker = Casework(settings, master_key)  # another server process, same store
    try:
        assert _notes_of(store, centre.worker, case_id) == ["home visit 0"]
        write_note(other_worker, centre.worker, case_id, "phoned the school")
        assert _notes_of(store, centre.worker, case_id) == ["home visit 0", "phoned the school"]
        write_note(store, centre.worker, case_id, "met the mother")
        assert _notes_of(store, centre.worker, case_id) == [
            "home visit 0",
            "met the mother",
            "phoned the school",
        ]
    finally:
        other_worker.close()


def test_a_list_of_cases_asks_the_store_once_and_still_sees_what_another_worker_wrote(
    store: Casework, settings: Settings, master_key: MasterKey
) -> None:
    centre, first = family_case(store, notes=1)
    others = [open_family_case(store, centre) for _ in range(3)]
    cases = [first, *others]
    assert len(store.visible_cases(centre.worker, cases)) == 4  # all four kept now
    other_worker = Casework(settings, master_key)
    try:
        write_note(other_worker, centre.worker, others[1], "phoned the school")
    finally:
        other_worker.close()
    asked, opened = [], []
    versions, get = store.recorder.latest_versions, store.repository.get
    store.recorder.latest_versions = lambda ids: asked.append(ids) or versions(ids)  # type: ignore[method-assign]
    store.repository.get = lambda i, **k: opened.append(i) or get(i, **k)  # type: ignore[method-assign]

    read = dict(store.read_all(cases, Case, "case"))

    # One question for the four; only the case written since is opened again.
    assert [sorted(ids) for ids in asked] == [sorted(cases)] and opened == [others[1]]
    assert [i for i in cases if read[i] is not store.repository.shared.held(i)] == []
    assert read[others[1]].version == 2 and len(read[others[1]].notes) == 1
    assert [read[i].version for i in (first, others[0], others[2])] == [2, 1, 1]


def test_the_store_says_the_last_version_of_any_number_of_records_at_once(
    store: Casework,
) -> None:
    centre, written = family_case(store, notes=3)
    quiet = open_family_case(store, centre)
    unknown = [uuid4() for _ in range(1200)]  # more than the chunks of 500 it once made

    assert store.recorder.latest_versions([written, *unknown, quiet]) == {written: 4, quiet: 1}
    assert store.recorder.latest_versions([]) == {}


def test_a_list_leaves_out_an_erased_case_and_shows_the_rest(app: Casework) -> None:
    centre, erased = family_case(app, notes=1)
    kept = open_family_case(app, centre)
    app.visible_cases(centre.worker, [erased, kept])
    erase_with_four_eyes(
        app, erased, centre.head, centre.director, "consent withdrawn", "request DP-2026-014"
    )
    read = dict(app.read_all([erased, kept], Case, "case"))
    assert isinstance(read[erased], Erased) and read[kept].id == kept
    assert [v.case_id for v in app.visible_cases(centre.worker, [erased, kept])] == [kept]


def test_a_role_taken_away_in_another_worker_is_refused_at_the_next_read(
    store: Casework, settings: Settings, master_key: MasterKey
) -> None:
    centre, case_id = family_case(store, notes=1)
    store.read_case(centre.worker, case_id)  # her staff record is kept for the rule
    other_worker = Casework(settings, master_key)
    try:
        other_worker.change_roles(
            centre.administrator, centre.worker.staff_id, ChangeRoles(roles=[Role.SUPERVISOR])
        )
    finally:
        other_worker.close()
    with pytest.raises(RoleNotHeld):
        store.read_case(centre.worker, case_id)


def test_a_case_held_by_one_reader_does_not_change_when_someone_writes_to_it(
    app: Casework,
) -> None:
    centre, case_id = family_case(app, notes=1)
    held = app.read(case_id, Case, "case")
    assert app.read(case_id, Case, "case") is held  # opened once, shared

    write_note(app, centre.worker, case_id, "phoned the school")

    assert (held.version, len(held.notes)) == (2, 1)
    brought_up = app.read(case_id, Case, "case")
    assert brought_up is not held
    assert (brought_up.version, len(brought_up.notes)) == (3, 2)
    # A command works on its own copy: the shared one is never the one changed.
    assert app.load(case_id, Case, "case") is not brought_up


def test_a_note_written_is_kept_for_the_next_reader_without_opening_the_case_again(
    app: Casework,
) -> None:
    centre, case_id = family_case(app, notes=1)
    app.read_case(centre.worker, case_id)
    opened = app.repository.get
    calls = []
    app.repository.get = lambda *a, **k: calls.append(a) or opened(*a, **k)  # type: ignore[method-assign]
    write_note(app, centre.worker, case_id, "phoned the school")
    write_note(app, centre.worker, case_id, "met the mother")
    reading = app.read_case(centre.worker, case_id)
    # Each write began from the kept case, and each read found the newest kept.
    assert case_id not in [a[0] for a in calls]
    assert reading.case.version == 4 and len(reading.case.notes) == 3


def test_an_erased_case_leaves_the_memory_of_the_worker_that_erased_it(app: Casework) -> None:
    centre, case_id = family_case(app, notes=2)
    other_case = open_family_case(app, centre)
    shared = app.repository.shared
    app.read_case(centre.worker, case_id)
    app.read_case(centre.worker, other_case)
    assert shared.held(case_id) is not None

    erase_with_four_eyes(
        app, case_id, centre.head, centre.director, "consent withdrawn", "request DP-2026-014"
    )

    assert shared.held(case_id) is None
    assert shared.held(other_case) is not None
    with pytest.raises(Erased):
        app.read_case(centre.worker, case_id)


def test_a_worker_keeps_only_the_records_read_most_recently() -> None:
    class Kept:
        def __init__(self, n: int, version: int = 1) -> None:
            self.id, self.version = UUID(int=n), version

        def case_id_for_keys(self) -> UUID:
            return UUID(int=1000 + self.id.int % 2)

    shared = SharedRecords(size=3)
    for n in range(3):
        shared.keep(Kept(n))
    shared.held(UUID(int=0))  # read again: now the most recent
    shared.keep(Kept(3))
    assert [shared.held(UUID(int=n)) is not None for n in range(4)] == [True, False, True, True]
    # Two readers bringing one record up at once: the older never replaces the newer.
    newer = shared.keep(Kept(3, version=5))
    shared.keep(Kept(3, version=4))
    assert shared.held(UUID(int=3)) is newer
    shared.forget_case(UUID(int=1001))  # records 3 (and 1, gone already) are that case's
    assert [shared.held(UUID(int=n)) is not None for n in (0, 2, 3)] == [True, True, False]


def test_a_writers_copy_takes_every_event_of_the_demo_cases_and_leaves_the_kept_case_as_it_was(
    app: Casework,
) -> None:
    """What `own_copy` rests on, on real streams: each event applied to a copy of the
    case before it leaves that case as it was, and the copies end where the store does."""
    build_demo(app, cases=24)
    kinds = set()
    for case_id in app.case_ids():
        kept = None
        for event in app.events.get(case_id):
            kinds.add(type(event).__name__)
            if kept is None:
                kept = event.mutate(None)
                continue
            before = copy.deepcopy(kept)
            changed = event.mutate(own_copy(kept))
            assert kept == before, type(event).__name__
            kept = changed
        assert kept == app.load(case_id, Case, "case")
    assert len(kinds) >= 12  # the demo's kinds; the rest are checked in the source below


# What a case's events may change in place: the case's own containers, directly or
# through a name bound to one of them, never anything held inside.
_CHANGING = {"append", "extend", "insert", "pop", "remove", "clear", "update", "add"}
_CHANGING |= {"discard", "setdefault", "sort", "reverse", "popitem"}


def _case_attribute(node: ast.expr, aliases: set[str]) -> bool:
    """`case.<attribute>`, or a name bound to one (or to a choice between them)."""
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id == "case"
    return isinstance(node, ast.Name) and node.id in aliases


def _changes_beyond_the_case(apply: ast.FunctionDef) -> list[str]:
    """The statements of an event's `apply` that change something other than the
    case's own attributes and containers."""
    aliases = set()
    for node in ast.walk(apply):
        if isinstance(node, ast.Assign):
            value = node.value
            choices = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
            if all(_case_attribute(choice, set()) for choice in choices):
                aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return [
        ast.unparse(node)
        for node in ast.walk(apply)
        if not all(_case_attribute(t, aliases) for t in _changed(node))
    ]


def _changed(node: ast.AST) -> list[ast.expr]:
    """What a statement or call changes in place: a method's container, an item's
    container, an attribute's object (binding a local name changes nothing)."""
    targets: list[ast.expr] = []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return [node.func.value] if node.func.attr in _CHANGING else []
    if isinstance(node, ast.Assign | ast.Delete):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign):
        targets = [node.target]
    while any(isinstance(t, ast.Tuple) for t in targets):
        targets = [e for t in targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
    return [
        t.value if isinstance(t, ast.Subscript) else t
        for t in targets
        if not isinstance(t, ast.Name)
    ]


def test_a_case_event_changes_only_the_cases_own_containers_and_every_item_is_frozen() -> None:
    applies = [
        node
        for node in ast.walk(ast.parse(inspect.getsource(aggregate_module)))
        if isinstance(node, ast.FunctionDef) and node.name == "apply"
    ]
    assert len(applies) >= 18
    assert {
        a.lineno: _changes_beyond_the_case(a) for a in applies if _changes_beyond_the_case(a)
    } == {}
    structs = [
        value
        for value in vars(case_values).values()
        if isinstance(value, type) and issubclass(value, msgspec.Struct)
    ]
    assert structs and all(s.__struct_config__.frozen for s in structs), [
        s.__name__ for s in structs if not s.__struct_config__.frozen
    ]


def test_the_source_check_finds_an_event_that_changes_an_item_inside_the_case() -> None:
    bad = ast.parse(
        "def apply(self, case):\n"
        "    records = case.notes\n"
        "    records[self.id].addenda.append(self.addendum)\n"
        "    case.closures[-1].summary = self.summary\n"
        "    case.team.append(self.member)\n"
        "    hops = case.referrals[0].hops\n"
        "    hops[0] = self.hop\n"
        "    case.status = self.status\n"
    ).body[0]
    assert isinstance(bad, ast.FunctionDef)
    assert sorted(_changes_beyond_the_case(bad)) == [
        "case.closures[-1].summary = self.summary",
        "hops[0] = self.hop",
        "records[self.id].addenda.append(self.addendum)",
    ]


def _rooted_at_self(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name) and node.id == "self"


def test_a_case_command_changes_the_case_only_by_recording_events() -> None:
    """What else `own_copy` rests on: outside its creation (`__init__`) and its events'
    `apply`, no code of the case (commands, queries) changes the case itself."""
    tree = ast.parse(inspect.getsource(aggregate_module))
    case_class = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Case")
    methods = [n for n in case_class.body if isinstance(n, ast.FunctionDef)]
    methods += [
        n
        for query_class in ast.parse(inspect.getsource(case_queries)).body
        if isinstance(query_class, ast.ClassDef)
        for n in query_class.body
        if isinstance(n, ast.FunctionDef)
    ]
    assert len(methods) >= 30
    changing = {
        method.name: ast.unparse(node)
        for method in methods
        if method.name != "__init__"
        for node in ast.walk(method)
        if any(_rooted_at_self(t) for t in _changed(node))
    }
    assert changing == {}


def test_the_source_check_finds_a_command_that_changes_the_case_without_an_event() -> None:
    command = ast.parse(
        "def record_note(self, by, text):\n"
        "    notes = [text]\n"
        "    notes.append(by)\n"
        "    self.notes[by] = text\n"
        "    self.team.append(by)\n"
        "    self.record(self.NoteRecorded, by, text=text)\n"
    ).body[0]
    found = [ast.unparse(n) for n in ast.walk(command) if any(map(_rooted_at_self, _changed(n)))]
    assert sorted(found) == ["self.notes[by] = text", "self.team.append(by)"]
