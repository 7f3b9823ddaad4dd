"""Forms answered in place, in a real browser, in both languages: the caseworker records
two notes in a row on her older case. Each click is one request (sent by HTMX), the
page is not reloaded, the keyboard focus moves to what the answer says, and the second
note is taken at the version the first one left (the forms on the page were renewed
with it). A refused note is shown beside the form in the same way, with the focus on
the field refused, and a note longer than the command allows is refused beside its
field as the API would refuse it."""

import pytest
from playwright.sync_api import Page, Request, expect

from api.pages.language import Language
from tests.pages.conftest import Site
from tests.pages.test_pages_in_browser import assert_accessible
from tests.pages.test_work_pages import _locale

ASSETS = ("stylesheet", "script", "image", "font")


def _note(page: Page, t: Language, narrative: str) -> list[Request]:
    """Send the note form; the requests the click made (assets aside)."""
    sent: list[Request] = []

    def seen(request: Request) -> None:
        if request.resource_type not in ASSETS:
            sent.append(request)

    page.on("request", seen)
    page.get_by_label(t.gettext("Duration (minutes)")).fill("10")
    page.get_by_label(t.gettext("What happened"), exact=True).fill(narrative)
    page.get_by_role("button", name=t.gettext("Record the note")).click()
    page.wait_for_load_state("networkidle")
    page.remove_listener("request", seen)
    return sent


@pytest.mark.parametrize("language", ["zh", "en"])
def test_notes_are_recorded_in_place_with_one_request_each(site: Site, language: str) -> None:
    t = Language(language)
    page = site.page(_locale(language))
    site.sign_in(page, "chen.jing")
    page.goto(f"{site.base}/cases/{site.old_case_id}")
    page.evaluate("window.notReloaded = true")

    first = f"电话询问补助 asked about the allowance ({language})"
    sent = _note(page, t, first)
    expect(page.get_by_role("status")).to_have_text(t.gettext("The note was recorded."))
    expect(page.locator("#notes")).to_contain_text(first)
    assert page.evaluate("window.notReloaded") is True
    posts = [r for r in sent if r.method == "POST"]
    assert len(posts) == 1 and len(sent) == 1, [(r.method, r.url) for r in sent]
    assert posts[0].headers.get("hx-request") == "true"
    expect(page.locator(":focus")).to_have_attribute("role", "status")
    assert_accessible(site, page)

    # The forms carry the version the first note left: the second is not a conflict.
    second = f"家访核实 home visit to check ({language})"
    _note(page, t, second)
    expect(page.get_by_role("status")).to_have_text(t.gettext("The note was recorded."))
    expect(page.locator("#notes")).to_contain_text(second)
    expect(page.locator("#conflict")).to_have_count(0)

    # A refusal is answered in place too, the focus on the field it names.
    _note(page, t, "   ")
    expect(page.locator("#field-error")).to_have_text(t.gettext("Write what happened."))
    expect(page.locator(":focus")).to_have_attribute("id", "narrative")
    assert page.evaluate("window.notReloaded") is True
    site.screenshot(page, f"note-refused-in-place-{language}")
    assert_accessible(site, page)
    # The command's declared limits, as the API has them: a note of a day at most.
    page.get_by_label(t.gettext("Duration (minutes)")).fill("2000")
    page.get_by_label(t.gettext("What happened"), exact=True).fill("整天陪同 a long day")
    page.get_by_role("button", name=t.gettext("Record the note")).click()
    expect(page.locator("#field-error")).to_have_text(
        t.gettext("Give the duration in whole minutes, from 0 to 1440 (a day).")
    )
    expect(page.get_by_label(t.gettext("Duration (minutes)"))).to_have_attribute(
        "aria-invalid", "true"
    )
    page.context.close()
