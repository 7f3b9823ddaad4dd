"""`casework demo --centres N`: the district build with a progress bar (steps done of
the whole plan, events in the store and their rate), and what the store holds after."""

import time

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from casework.application import Casework
from casework.demo.district import DistrictBuild, Planned, centres_complete, has_district


def build_district_here(app: Casework, planned: Planned) -> int:
    if has_district(app):
        print("the district is already in this store; nothing added")
    else:
        started_at, first = time.monotonic(), app.last_position()
        build = DistrictBuild(app, planned)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[events]:,} events, {task.fields[rate]:,.0f}/s"),
            TimeElapsedColumn(),
        ) as bar:
            task = bar.add_task("district", total=planned.steps, events=first, rate=0.0)
            bar.update(task, completed=len(build.journal.done()) if build.journal.exists() else 0)

            def step(name: str) -> None:
                position = app.last_position()
                rate = (position - first) / max(time.monotonic() - started_at, 1e-9)
                bar.update(task, advance=1, description=name, events=position, rate=rate)

            build.on_step = step
            build.run()
        print(f"built {planned.centres} centres of {planned.cases_per_centre} cases")
    print(f"{centres_complete(app)} centres complete; {app.last_position():,} events in the store")
    return 0
