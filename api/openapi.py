"""The OpenAPI 3.1 document as the app serves it at `/schema/openapi.json`, and the
committed copy `api/openapi.json` (a test fails when they differ). Regenerate it
after changing a route or a schema:

    .venv/bin/python -m api.openapi
"""

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from litestar import Litestar

from casework.settings import Settings
from casework.store.master_key import MasterKey

COMMITTED = Path(__file__).with_name("openapi.json")


def document(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def as_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> str:
    """The document of an app on a throw-away store."""
    from api.app import create_app

    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings.from_env({"CASEWORK_DATA_DIR": data_dir})
        app = create_app(
            settings, MasterKey.generate("openapi"), sign_checkpoints=False, run_views=False
        )
        try:
            return as_text(document(app))
        finally:
            app.state.projections.close()
            app.state.casework.close()


def main() -> int:
    COMMITTED.write_text(generate(), encoding="utf-8")
    print(f"wrote {COMMITTED}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
