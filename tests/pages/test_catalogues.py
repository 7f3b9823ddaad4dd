"""Every message the pages can show is in both catalogues, translated into Chinese,
with the same placeholders; and the language is chosen as the issue says."""

import re

from api.pages.catalogue import extracted, read
from api.pages.labels import LABELS
from api.pages.language import Language, chosen

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_every_message_has_a_chinese_translation_with_its_placeholders() -> None:
    messages = extracted()
    assert len(messages) > 100 and set(LABELS.values()) <= set(messages)
    zh, en = read("zh_Hans"), read("en")
    untranslated, misplaced, absent_en = [], [], []
    for msgid, plural in messages.items():
        entry = zh.get(msgid)
        strings = (
            []
            if entry is None
            else (list(entry.string) if isinstance(entry.string, tuple) else [entry.string])
        )
        if not strings or not all(strings):
            untranslated.append(msgid)
            continue
        wanted = set(PLACEHOLDER.findall(msgid)) | set(PLACEHOLDER.findall(plural or ""))
        if any(set(PLACEHOLDER.findall(s)) != wanted for s in strings):
            misplaced.append(msgid)
        if en.get(msgid) is None:
            absent_en.append(msgid)
    assert untranslated == [], f"no Chinese translation: {untranslated}"
    assert misplaced == [], f"placeholders differ in Chinese: {misplaced}"
    assert absent_en == [], f"not in the English catalogue: {absent_en}"


def test_chinese_when_the_browser_prefers_it_and_the_cookie_wins() -> None:
    assert chosen("zh-CN,zh;q=0.9,en;q=0.8", None) == "zh"
    assert chosen("en-GB,en;q=0.9,zh;q=0.8", None) == "en"
    assert chosen("fr-FR, zh-Hans;q=0.5", None) == "zh"
    assert chosen("fr-FR", None) == "en"
    assert chosen(None, None) == "en"
    assert chosen("zh-CN", "en") == "en" and chosen("en", "zh") == "zh"
    assert chosen("zh-CN", "fr") == "zh"


def test_dates_and_numbers_in_each_language() -> None:
    from datetime import UTC, date, datetime

    zh, en = Language("zh"), Language("en")
    assert zh.day(date(2026, 3, 1)) == "2026年3月1日"
    assert en.day(date(2026, 3, 1)) == "1 Mar 2026"
    assert zh.when(datetime(2026, 3, 1, 2, 0, tzinfo=UTC)).startswith("2026年3月1日 10:00")
    assert en.number(12345) == "12,345"
    assert zh.gettext("Case %(ref)s", ref="ab12") == "个案 ab12"
    assert zh.ngettext("%(num)d case", "%(num)d cases", 3) == "3 个个案"
