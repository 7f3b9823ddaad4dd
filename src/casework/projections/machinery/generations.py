"""View generations: the generation-suffixed names of view tables, the bookkeeping
tables (each generation's status and position, and the erased cases), and the
states a generation goes through."""

from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

from casework.projections.machinery.column_types import Id, UtcDateTime


def view_table(view: str, name: str, generation: int, *columns: Any, **options: Any) -> Table:
    """A view's table in one generation: `cwv_<view>_<name>_g<generation>`.

    Each rebuild writes a new generation beside the serving one (blue/green)."""
    return Table(f"cwv_{view}_{name}_g{generation}", MetaData(), *columns, **options)


bookkeeping = MetaData()

# One row per view generation: its tracking position (updated in the same
# transaction as the generation's rows), whether it serves reads, and its runner.
view_generations = Table(
    "cwv_generations",
    bookkeeping,
    Column("view", String(64), primary_key=True),
    Column("generation", Integer, primary_key=True),
    Column("status", String(16), nullable=False),  # building, serving, retired
    Column("position", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Fingerprint of the view's tables and handlers that built this generation.
    Column("definition", String(32), nullable=False),
    Column("updated_at", UtcDateTime),
    Column("runner", String(200)),
    Column("heartbeat_at", UtcDateTime),
    Column("last_error", Text),
)

# Cases whose rows were cleared on erasure: runners skip their events from then on,
# even when they still hold the case's key in memory.
erased_cases = Table(
    "cwv_erased_cases",
    bookkeeping,
    Column("case_id", Id, primary_key=True),
    Column("erased_at", UtcDateTime, nullable=False),
)

BUILDING = "building"
SERVING = "serving"
# Replaced by a rebuild, by code before issue 15 (which kept it until the next rebuild).
# A rebuild's switch now drops the old generation (ADR 0031); one left retired by the
# older code is dropped by the next rebuild, and runners treat it as moved.
RETIRED = "retired"
