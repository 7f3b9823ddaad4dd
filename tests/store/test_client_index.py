"""Finding a client by ID number, phone or name without plaintext on disk, on both
backends; duplicates are warned of at intake; erasure forgets the index rows."""

from uuid import UUID

import msgspec
import pytest

from casework.aggregates.base import InvalidValue
from casework.application import Casework
from casework.application.cases import searchable
from casework.application.errors import Conflict
from casework.store.blind_index import TABLE, normalise
from casework.store.master_key import MasterKey
from tests.builders.centre import family_centre, family_client, open_family_case

ID_NUMBER = "440105198803120026"


def test_a_client_is_found_by_id_number_phone_or_name_and_nothing_is_in_clear(
    store: Casework,
) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre, client=family_client(id_number=ID_NUMBER))
    other = open_family_case(
        store, centre, client=family_client("张伟 Zhang Wei", "44010519900101001X")
    )

    def find(field: str, value: str) -> list[UUID]:
        return store.find_cases_by_client(centre.worker, field, value)

    assert find("id_number", "4401 0519 8803 1200 26") == [case_id]
    assert find("phone", "+86 138-0013-8000") == sorted([case_id, other])
    assert find("name", "王芳  wang FANG") == [case_id]
    assert find("name", "李明 Li Ming") == sorted([case_id, other])
    assert find("id_number", "440105198803120027") == []
    with pytest.raises(InvalidValue, match="search by one of"):
        store.find_cases_by_client(centre.worker, "address", "海珠区")

    with store.factory.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        table = f'"{store.database.schema}".{TABLE}' if store.database.schema else TABLE
        cursor.execute(f"SELECT token FROM {table}")
        tokens = b"".join(bytes(row["token"]) for row in cursor.fetchall())
    for clear in (ID_NUMBER, "13800138000", normalise("name", "王芳 Wang Fang")):
        assert clear.encode() not in tokens


def test_opening_a_case_for_a_client_who_has_one_warns_of_the_duplicate(app: Casework) -> None:
    centre = family_centre(app)
    first = open_family_case(app, centre)
    again = open_family_case(app, centre)
    # Same household and community, but a different person: no warning.
    someone_else = msgspec.structs.replace(
        family_client(), name="陈晓 Chen Xiao", id_number=None, phone=None, household=[]
    )
    stranger = open_family_case(app, centre, client=someone_else)
    assert app.repository.get(first).possible_duplicate_of == []
    assert app.repository.get(again).possible_duplicate_of == [first]
    assert app.repository.get(stranger).possible_duplicate_of == []


def test_corrected_details_are_found_and_the_old_ones_are_not(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    client = app.repository.get(case_id).clients[0]
    corrected = msgspec.structs.replace(client, phone="139 2222 3333")
    app.correct_client_details(case_id, centre.worker, corrected, "new phone number")
    assert app.find_cases_by_client(centre.worker, "phone", "13922223333") == [case_id]
    assert app.find_cases_by_client(centre.worker, "phone", "13800138000") == []
    assert app.repository.get(case_id).clients == [corrected]


def test_a_correction_that_loses_a_race_changes_neither_the_case_nor_the_index(
    store: Casework,
) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    client = store.repository.get(case_id).clients[0]
    other_desk = Casework(store.settings, store.keyring.master)
    # Both desks load the case; the first correction is saved, the second clashes.
    mine, theirs = store.repository.get(case_id), other_desk.repository.get(case_id)
    mine.correct_client_details(
        centre.worker, msgspec.structs.replace(client, phone="139 1111 2222"), "new phone"
    )
    theirs.correct_client_details(
        centre.worker, msgspec.structs.replace(client, phone="137 0000 9999"), "typo"
    )
    store.save(
        mine, with_events=[store.client_index.replacement(case_id, searchable([mine.clients[0]]))]
    )
    with pytest.raises(Conflict):
        other_desk.save(
            theirs,
            with_events=[other_desk.client_index.replacement(case_id, searchable(theirs.clients))],
        )
    assert store.find_cases_by_client(centre.worker, "phone", "13911112222") == [case_id]
    assert store.find_cases_by_client(centre.worker, "phone", "13700009999") == []
    other_desk.close()


def test_the_index_survives_a_master_key_rotation(app: Casework) -> None:
    centre = family_centre(app)
    case_id = open_family_case(app, centre)
    new_master = MasterKey.generate("the rotated key")
    app.keyring.rotate_master(new_master)
    reopened = Casework(app.settings, new_master)
    assert reopened.find_cases_by_client(centre.worker, "id_number", ID_NUMBER) == [case_id]
    reopened.close()


def test_erasure_forgets_the_case_in_the_index(store: Casework) -> None:
    centre = family_centre(store)
    case_id = open_family_case(store, centre)
    kept = open_family_case(store, centre, client=family_client("张伟", "440105199001010011"))
    assert store.client_index.forget_case(case_id) > 0
    assert store.find_cases_by_client(centre.worker, "id_number", ID_NUMBER) == []
    assert store.find_cases_by_client(centre.worker, "name", "张伟") == [kept]


def test_names_compare_in_a_normal_form() -> None:
    assert normalise("name", "  Wang  Fang ") == normalise("name", "wang-fang") == "wangfang"
    assert normalise("name", "王 芳") == "王芳"
    assert normalise("phone", "+86 138 0013 8000") == normalise("phone", "13800138000")
    assert normalise("id_number", "4401-0519 9001 01001x") == "44010519900101001X"
