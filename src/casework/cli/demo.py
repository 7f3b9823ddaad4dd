"""`casework demo`: build the demo centre into the configured store and show it."""

import argparse

from casework.cli.arguments import at_least
from casework.cli.district import build_district_here
from casework.cli.session import casework_session
from casework.demo import demo_started, describe, ensure_demo, has_demo
from casework.demo.district import Planned
from casework.settings import Settings
from casework.store.database import Database
from casework.store.key_files import create_key_files
from casework.store.opening import refuse_new_master_key


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    demo = commands.add_parser(
        "demo",
        help="build the demo centre (departments, ~20 staff, ~200 cases) and show it",
        description="Build a believable family integrated service centre into the store "
        "named by CASEWORK_DATABASE_URL (default: <data dir>/casework.db): six departments, "
        "~20 staff with internal and external supervisors, and ~200 cases at every stage, "
        "in Chinese and English. Creates the master and signing keys in the data directory "
        "if there are none. On a store that already holds an organisation it adds nothing "
        "and shows what the store holds; a build that was interrupted is finished. A second "
        "`casework demo` on the same store waits for the first.",
    )
    demo.add_argument(
        "--cases", type=at_least(1), default=200, help="how many cases to build (default 200)"
    )
    demo.add_argument(
        "--centres",
        type=at_least(1),
        help="build a district instead: this many centres of one organisation, each staffed "
        "like the demo centre, with long cases, plans in several versions, referrals between "
        "centres and to agencies, group supervision and accounts (150 centres of 180 cases "
        "is about a million events); an interrupted district is finished by the same command",
    )
    demo.add_argument(
        "--cases-per-centre",
        type=at_least(1),
        default=180,
        help="with --centres: cases in each centre (default 180; one in ten is long)",
    )
    demo.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    database = Database.from_url(settings.database_url)
    # Never a new master key beside a store sealed under another one.
    refuse_new_master_key(settings)
    if database.sqlite_path is not None:
        # The demo makes a store on purpose, directory and all.
        database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    # One build at a time: a second `casework demo` waits, then finds the centre built.
    with database.exclusive("demo", on_wait=_say_waiting):
        for path in create_key_files(settings):
            print(f"created {path} (no key existed; keep it out of database backups)")
        with casework_session(args.pending_checkpoints, settings, create=True) as app:
            if args.centres is not None:
                return build_district_here(app, Planned(args.centres, args.cases_per_centre))
            resuming = demo_started(app) and not has_demo(app)
            if ensure_demo(app, args.cases):
                verb = "finished building" if resuming else "built"
                print(f"{verb} the demo centre into {database.describe()}")
            elif has_demo(app):
                print("the demo centre is already in this store; nothing added")
            else:
                print("this store already holds an organisation; the demo was not added")
            print(describe(app))
    return 0


def _say_waiting() -> None:
    print("another `casework demo` is building into this store; waiting for it ...", flush=True)
