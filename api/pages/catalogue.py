"""The pages' messages, extracted from their source: every `N_`, `gettext`,
`ngettext` and `_` in `api/pages/*.py` and the templates. A test compares them with
the catalogues; `python -m api.pages.catalogue` adds new messages to both `.po`
files (untranslated, for a translator) and drops ones no longer used."""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from api.pages.language import LOCALE_DIR, LOCALES

API_DIR = Path(__file__).resolve().parent.parent
METHODS = [
    ("pages/**.py", "python"),
    ("templates/**.html", "jinja2.ext:babel_extract"),
]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}


def extracted() -> dict[str, str | None]:
    """msgid → its plural msgid (None when it has none), from the source."""
    found: dict[str, str | None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        API_DIR, METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        if isinstance(message, tuple):
            found[message[0]] = message[1]
        else:
            found.setdefault(message, None)
    return found


def po_path(folder: str) -> Path:
    return LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po"


def read(folder: str) -> Catalog:
    with po_path(folder).open("rb") as po:
        return read_po(po, locale=folder)


def update() -> None:
    messages = extracted()
    for folder, _locale, _lang in LOCALES.values():
        path = po_path(folder)
        old = read(folder) if path.exists() else Catalog(locale=folder)
        new = Catalog(locale=folder, project="casework pages", fuzzy=False)
        for msgid, plural in sorted(messages.items()):
            key = msgid if plural is None else (msgid, plural)
            kept = old.get(msgid)
            new.add(key, kept.string if kept is not None else ("" if plural is None else ("", "")))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, new, width=100, omit_header=False, sort_output=True)


if __name__ == "__main__":
    update()
