"""Staff records, the directory, the organisation and the ledger, as the service layer
shows them to whoever asks: a caseworker finds colleagues by name but reads only their
own record; those who oversee someone read theirs; a refusal is in the access log;
the ledger is for compliance reviewers, directors and administrators."""

import pytest

from casework.access import AccessDenied
from casework.aggregates.access_record import AccessOutcome
from casework.aggregates.base import Role
from casework.application import Casework
from casework.application.commands.organisation import ChangeRoles
from casework.settings import Settings
from casework.store.master_key import MasterKey
from tests.builders.centre import enrol, family_centre, open_family_case
from tests.builders.compliance_steps import give_ledger_key


def test_a_caseworker_finds_colleagues_but_reads_only_their_own_record(app: Casework) -> None:
    centre = family_centre(app)
    worker, colleague = centre.worker, centre.second_worker.staff_id
    assert app.read_staff(worker, worker.staff_id).name == "陈静 Chen Jing"
    assert [s.id for s in app.read_staff_list(worker)] == [worker.staff_id]
    directory = {c.name: c for c in app.staff_directory(worker)}
    assert directory["刘洋 Liu Yang"].roles == [Role.CASEWORKER]
    assert {d.name for d in app.read_organisation(worker).departments} >= {
        "家庭部 Family",
        "青少年部 Youth",
    }

    with pytest.raises(AccessDenied, match="may not read this staff record"):
        app.read_staff(worker, colleague)
    refused = app.what_person_read(centre.reviewer, worker.staff_id)
    assert [(e.outcome, e.record_kinds, e.record_ids) for e in refused[:1]] == [
        (AccessOutcome.REFUSED, ["staff"], [colleague])
    ]


def test_those_who_oversee_someone_read_their_record(app: Casework) -> None:
    centre = family_centre(app)
    worker = centre.worker.staff_id
    for overseer in (centre.supervisor, centre.head, centre.director, centre.administrator):
        assert app.read_staff(overseer, worker).id == worker
    with pytest.raises(AccessDenied):
        app.read_staff(centre.elderly_head, worker)  # another department's head
    supervised = {s.id for s in app.read_staff_list(centre.supervisor)}
    assert supervised == {
        centre.supervisor.staff_id,
        centre.worker.staff_id,
        centre.second_worker.staff_id,
    }
    assert len(app.read_staff_list(centre.director)) == len(app.list_staff())


def test_the_ledger_is_read_by_reviewers_directors_and_administrators(app: Casework) -> None:
    centre = family_centre(app)
    give_ledger_key(app)
    case_id = open_family_case(app, centre)
    app.checkpoint()
    for reader in (centre.reviewer, centre.director, centre.administrator):
        assert app.read_latest_checkpoint(reader) == app.latest_checkpoint()
        assert app.read_verification(reader).ok
        assert app.read_inclusion_proof(reader, case_id, 1).leaf_index >= 0
    for refused in (centre.worker, centre.supervisor, centre.head):
        with pytest.raises(AccessDenied, match="may not read the ledger"):
            app.read_verification(refused)


def test_the_directory_shows_a_change_made_by_another_worker(
    store: Casework, settings: Settings, master_key: MasterKey
) -> None:
    centre = family_centre(store)
    worker = centre.worker
    before = {c.name: c for c in store.staff_directory(worker)}
    assert store.staff_directory(worker) == list(before.values())  # kept, the same answer

    other_worker = Casework(settings, master_key)  # another process on the same store
    try:
        joined = enrol(other_worker, centre, "何伟 He Wei", centre.youth_id, Role.CASEWORKER)
        other_worker.change_roles(
            centre.administrator,
            centre.second_worker.staff_id,
            ChangeRoles(roles=[Role.SUPERVISOR]),
        )
    finally:
        other_worker.close()

    after = {c.name: c for c in store.staff_directory(worker)}
    assert after["何伟 He Wei"].staff_id == joined
    assert after["刘洋 Liu Yang"].roles == [Role.SUPERVISOR]
    assert len(after) == len(before) + 1
