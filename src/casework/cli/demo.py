"""`casework demo`: build the demo centre into the configured store and show it."""

import argparse

from casework.cli.session import casework_session
from casework.demo import describe, ensure_demo, has_demo
from casework.settings import Settings
from casework.store.key_files import create_key_files


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    demo = commands.add_parser(
        "demo",
        help="build the demo centre (departments, ~20 staff, ~200 cases) and show it",
        description="Build a believable family integrated service centre into the store "
        "named by CASEWORK_DATABASE_URL (default: <data dir>/casework.db): six departments, "
        "~20 staff with internal and external supervisors, and ~200 cases at every stage, "
        "in Chinese and English. Creates the master and signing keys in the data directory "
        "if there are none. On a store that already holds an organisation it adds nothing "
        "and shows what the store holds.",
    )
    demo.add_argument(
        "--cases", type=int, default=200, help="how many cases to build (default 200)"
    )
    demo.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    for path in create_key_files(settings):
        print(f"created {path} (no key existed; keep it out of database backups)")
    with casework_session(args.pending_checkpoints, settings) as app:
        if ensure_demo(app, args.cases):
            print(f"built the demo centre into {settings.database_url}")
        elif has_demo(app):
            print("the demo centre is already in this store; nothing added")
        else:
            print("this store already holds an organisation; the demo was not added")
        print(describe(app))
    return 0
