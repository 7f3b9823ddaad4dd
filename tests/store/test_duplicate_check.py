"""Intake's duplicate check by name and date of birth comes from the blind index
alone: no earlier case is opened, a shared name with another birth date is no match,
and a case indexed before the combined token existed is found once corrected."""

from datetime import date
from unittest.mock import patch

import msgspec

from casework.application import Casework
from casework.store.blind_index import NAME_AND_BIRTH, TABLE, name_and_birth
from tests.builders.centre import family_centre, family_client, open_family_case


def test_a_client_with_the_same_name_and_birth_date_is_a_possible_duplicate(
    store: Casework,
) -> None:
    centre = family_centre(store)
    # Only the name and date of birth can match: no ID number, no phone.
    client = msgspec.structs.replace(family_client(), id_number=None, phone=None, household=[])
    first = open_family_case(store, centre, client=client)
    namesake = open_family_case(
        store, centre, client=msgspec.structs.replace(client, date_of_birth=date(1990, 1, 1))
    )
    undated = msgspec.structs.replace(client, date_of_birth=None)
    first_undated = open_family_case(store, centre, client=undated)

    opened: list[object] = []
    load = store.repository.get

    def loading(record_id: object, **kwargs: object) -> object:
        opened.append(record_id)
        return load(record_id, **kwargs)

    spelt_otherwise = msgspec.structs.replace(client, name="王 芳  wang FANG")
    with patch.object(store.repository, "get", loading):
        again = open_family_case(store, centre, client=spelt_otherwise)
        undated_again = open_family_case(store, centre, client=undated)
    assert not {first, namesake, first_undated} & set(opened), "no earlier case was opened"
    assert store.repository.get(again).possible_duplicate_of == [first]
    assert store.repository.get(namesake).possible_duplicate_of == []
    assert store.repository.get(undated_again).possible_duplicate_of == [first_undated]


def test_a_case_indexed_without_the_combined_token_is_found_once_corrected(
    store: Casework,
) -> None:
    centre = family_centre(store)
    client = msgspec.structs.replace(family_client(), id_number=None, phone=None, household=[])
    old = open_family_case(store, centre, client=client)
    index = store.client_index
    token = index.token(NAME_AND_BIRTH, name_and_birth(client.name, client.date_of_birth))
    with store.factory.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
        table = store.database.dialect.table(TABLE)
        cursor.execute(
            store.database.dialect.sql(f"DELETE FROM {table} WHERE token = ?"), (token,)
        )  # as a case opened before the combined token existed
    assert (
        store.repository.get(open_family_case(store, centre, client=client)).possible_duplicate_of
        == []
    )

    recorded = store.repository.get(old).clients[0]
    store.correct_client_details(old, centre.worker, recorded, "checked the details")
    newest = open_family_case(store, centre, client=client)
    assert old in store.repository.get(newest).possible_duplicate_of
