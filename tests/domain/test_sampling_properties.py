"""Properties of the audit draw and of the supervision and referral calendars."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from casework.aggregates.audit_sample import SampledKind, SampledRecord, draw
from casework.aggregates.referral import ResponseDeadlines
from casework.aggregates.supervision_schedule import add_months

records = st.builds(
    SampledRecord,
    case_id=st.uuids(),
    kind=st.sampled_from(SampledKind),
    record_id=st.uuids(),
)


@given(st.lists(records, max_size=40), st.integers(0, 50), st.integers(0, 2**63 - 1))
def test_a_draw_depends_only_on_the_candidates_the_size_and_the_seed(
    candidates: list[SampledRecord], size: int, seed: int
) -> None:
    sample = draw(candidates, size, seed)
    assert sample == draw(list(reversed(candidates)), size, seed)
    assert len(sample) == min(size, len(set(candidates)))
    assert len(set(sample)) == len(sample) and set(sample) <= set(candidates)


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(0, 36))
def test_adding_months_lands_in_the_right_month_never_past_its_end(day: date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    # The same day of the month, or the last day of a shorter month.
    assert later.day == day.day or (later.day < day.day and (later + timedelta(days=1)).day == 1)


@given(st.integers(1, 1000), st.integers(1, 1000), st.integers(1, 1000))
def test_deadlines_read_back_as_written(hours: int, days: int, routine: int) -> None:
    deadlines = ResponseDeadlines.parse(f"emergency={hours}h, urgent={days}d,routine={routine}d")
    assert deadlines == ResponseDeadlines(
        timedelta(hours=hours), timedelta(days=days), timedelta(days=routine)
    )
