"""The pages' two languages: Simplified Chinese and English, from gettext catalogues.

The catalogues are `api/locale/<locale>/LC_MESSAGES/messages.po`, committed as text and
compiled in memory when the pages start (no `.mo` is committed or written). Chinese is
chosen when the browser ranks Chinese above English (`Accept-Language`), English
otherwise; the `lang` cookie, set by the switch on every page, overrides both.

Python code marks a message for extraction with `N_` (kept as written, translated
when shown) or translates it at once with `Language.gettext`.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# Each language: its gettext catalogue, its Babel locale, its HTML `lang`.
LOCALES = {"zh": ("zh_Hans", "zh_Hans_CN", "zh-Hans"), "en": ("en", "en_GB", "en")}
DEFAULT = "en"
LANGUAGE_COOKIE = "lang"
# The time zone dates are shown in: the centres are in China.
TIME_ZONE = "Asia/Shanghai"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


@cache
def catalogue(code: str) -> Translations:
    """The compiled catalogue of one language (`zh` or `en`)."""
    folder = LOCALES[code][0]
    with (LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po").open("rb") as po:
        compiled = BytesIO()
        write_mo(compiled, read_po(po, locale=folder))
    compiled.seek(0)
    return Translations(compiled)


def chosen(accept_language: str | None, cookie: str | None) -> str:
    """`zh` or `en`: the cookie if it names one, else the browser's first preference
    between Chinese and English."""
    if cookie in LOCALES:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LOCALES and q > 0:
            ranked.append((-q, n, primary))
    return min(ranked)[2] if ranked else DEFAULT


@dataclass(frozen=True)
class Language:
    """One request's language: translations and the formats of dates and numbers."""

    code: str

    @property
    def html_lang(self) -> str:
        return LOCALES[self.code][2]

    @property
    def locale(self) -> Locale:
        return Locale.parse(LOCALES[self.code][1])

    @property
    def other(self) -> "Language":
        return Language("en" if self.code == "zh" else "zh")

    @property
    def translations(self) -> Translations:
        return catalogue(self.code)

    def gettext(self, message: str, **variables: object) -> str:
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    def when(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        return format_datetime(value, "medium", tzinfo=TIME_ZONE, locale=self.locale)

    def day(self, value: date | None) -> str:
        return "—" if value is None else format_date(value, "medium", locale=self.locale)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)
