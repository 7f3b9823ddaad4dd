"""`casework demo --centres N --cases-per-centre M`: a district of centres built into one
store with a progress bar; an interrupted build is finished by the next run and a
half-built centre is never counted complete."""

from collections import Counter
from typing import Any

import pytest

import casework.demo.district
from casework.application import Casework
from casework.demo.district import (
    DISTRICT,
    DistrictBuild,
    Planned,
    centres_complete,
    has_district,
    roster,
)
from casework.demo.journal import DemoJournal
from casework.demo.story import CaseStory
from casework.settings import Settings
from casework.store.key_files import create_key_files
from tests.cli.steps import run, use_store

CaptureFixture = pytest.CaptureFixture[str]


def _cut_inside_the_second_long_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second long case (the second centre's) is cut short, as Ctrl-C would, after
    two of its batches of notes are saved."""
    real_case, real_save = casework.demo.district.long_case, CaseStory.save
    long_cases, saves = [0], [0]

    def long_case(*args: Any) -> None:
        long_cases[0] += 1
        real_case(*args)

    def save(self: CaseStory) -> None:
        if long_cases[0] == 2:
            saves[0] += 1
            if saves[0] == 3:
                raise KeyboardInterrupt
        real_save(self)

    monkeypatch.setattr(casework.demo.district, "long_case", long_case)
    monkeypatch.setattr(CaseStory, "save", save)


def _store(settings: Settings) -> tuple[int, int, set[str]]:
    """Cases, centres complete and journalled steps of the store."""
    app = Casework(settings)
    try:
        assert app.get_organisation().name == DISTRICT
        return len(app.case_ids()), centres_complete(app), DemoJournal(app).done()
    finally:
        app.close()


def test_an_interrupted_district_is_finished_by_the_next_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    use_store(monkeypatch, settings)
    with monkeypatch.context() as patch:
        _cut_inside_the_second_long_case(patch)
        cut = run(capsys, "demo", "--centres", "2", "--cases-per-centre", "10")
    assert cut.status == 130
    cases, complete, steps = _store(settings)
    assert complete == 1 and "centre 1 complete" not in steps and "complete" not in steps
    app = Casework(settings)
    try:
        assert not has_district(app), "a half-built district is not the district"
    finally:
        app.close()

    wrong = run(capsys, "demo", "--centres", "3", "--cases-per-centre", "10")
    assert wrong.status != 0 and "district_interrupted" in wrong.err
    assert "2 centres of 10 cases" in wrong.err

    resumed = run(capsys, "demo", "--centres", "2", "--cases-per-centre", "10")
    assert resumed.status == 0, resumed.err
    assert "built 2 centres of 10 cases" in resumed.out
    assert "2 centres complete" in resumed.out
    cases, complete, steps = _store(settings)
    assert cases == 20, "the case cut short counts as built; none is built twice"
    assert complete == 2 and "complete" in steps
    assert {f"centre {k} case {n}" for k in (0, 1) for n in range(10)} <= steps

    again = run(capsys, "demo", "--centres", "2", "--cases-per-centre", "10")
    assert "already in this store; nothing added" in again.out
    assert _store(settings)[0] == 20


def test_a_district_is_not_built_over_the_demo_centre(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    use_store(monkeypatch, sqlite_settings)
    assert run(capsys, "demo", "--cases", "3").status == 0
    refused = run(capsys, "demo", "--centres", "2", "--cases-per-centre", "3")
    assert refused.status != 0
    assert refused.err.startswith("casework: district_interrupted: ")
    assert "another organisation" in refused.err


@pytest.mark.parametrize("cut", [3, 30], ids=["first centre", "second centre"])
def test_a_centre_whose_staffing_was_cut_short_is_finished_not_doubled(
    cut: int, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_key_files(settings)
    app = Casework(settings)
    real, calls = app.add_staff, [0]

    def add_staff(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == cut:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(app, "add_staff", add_staff)
    with pytest.raises(KeyboardInterrupt):
        DistrictBuild(app, Planned(2, 2)).run()
    app.close()

    app = Casework(settings)
    try:
        DistrictBuild(app, Planned(2, 2)).run()
        assert has_district(app)
        staff = app.list_staff()
        per_centre = Counter(s.centre_id for s in staff)
        assert sorted(per_centre.values()) == [len(roster(1)), len(roster(0))]
        assert len({(s.centre_id, s.name) for s in staff}) == len(staff), "nobody twice"
    finally:
        app.close()
