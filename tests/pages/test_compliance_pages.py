"""The compliance reviewer in a real browser, in both languages: the pages ask for the
review's purpose once (and refuse a blank one beside the field), say that every read
is recorded with it, verify the ledger and show the last signed checkpoint, show the
older case as of yesterday (it did not exist yet as recorded; as occurred it had its
intake and a note entered late), list what changed since yesterday, and export the
case with its proofs. Other roles are refused the compliance pages."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from api.pages.language import TIME_ZONE, Language
from tests.pages.conftest import OLD_NOTE, Site
from tests.pages.test_pages_in_browser import assert_accessible


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_reviewer_sees_the_case_as_of_yesterday_and_exports_it(site: Site, language: str) -> None:
    t = Language(language)
    page = site.page("zh-CN" if language == "zh" else "en-GB")
    site.sign_in(page, "audit.office")
    page.get_by_role("link", name=t.gettext("Compliance review")).click()
    purpose = page.get_by_label(t.gettext("Purpose of this review"))
    expect(purpose).to_be_visible()
    site.screenshot(page, f"compliance-purpose-{language}")
    assert_accessible(site, page)
    purpose.fill("   ")
    page.get_by_role("button", name=t.gettext("Start the review")).click()
    expect(page.locator("#purpose-error")).to_have_text(
        t.gettext("Say why you are reviewing (it is recorded with every read).")
    )
    page.get_by_label(t.gettext("Purpose of this review")).fill("2026 年度审计 annual audit")
    page.get_by_role("button", name=t.gettext("Start the review")).click()
    expect(page.locator("#purpose-notice")).to_have_text(
        t.gettext(
            "Every read is recorded, with your purpose: %(purpose)s",
            purpose="2026 年度审计 annual audit",
        )
    )
    page.get_by_role("button", name=t.gettext("Verify the ledger now")).click()
    expect(page.locator("#verification")).to_contain_text(
        t.gettext("Verified: nothing in the log was altered, removed, inserted or reordered.")
    )
    site.screenshot(page, f"compliance-{language}")
    assert_accessible(site, page)

    ref = str(site.old_case_id)[:8]
    page.get_by_role("link", name=t.gettext("Case %(ref)s", ref=ref)).click()
    expect(page.get_by_text(OLD_NOTE)).to_be_visible()  # as recorded now
    yesterday = datetime.now(tz=ZoneInfo(TIME_ZONE)) - timedelta(days=1)
    page.get_by_label(t.gettext("Date and time (China time)")).fill(
        yesterday.strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name=t.gettext("Show the case")).click()
    expect(page.locator("#not-yet")).to_have_text(
        t.gettext("The case did not exist yet on this basis.")
    )
    page.get_by_label(
        t.gettext("As occurred: what had happened by then, late entries included")
    ).check()
    page.get_by_role("button", name=t.gettext("Show the case")).click()
    expect(page.locator("#notes-as-of")).to_contain_text(OLD_NOTE)
    expect(page.locator("#notes-as-of")).to_contain_text(t.gettext("late entry"))

    # Nothing had happened since yesterday; but all of it was recorded since.
    page.get_by_role("button", name=t.gettext("Show the changes")).click()
    expect(
        page.get_by_text(t.gettext("Nothing changed between these instants on this basis."))
    ).to_be_visible()
    page.locator("#diff-basis").select_option("recorded")
    page.get_by_role("button", name=t.gettext("Show the changes")).click()
    expect(page.locator("#changes tbody tr")).to_have_count(2)  # intake and the note
    site.screenshot(page, f"compliance-case-as-of-{language}")
    assert_accessible(site, page)

    with page.expect_download() as download:
        page.get_by_role("button", name=t.gettext("Export the case with its proofs")).click()
    bundle = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert bundle["case_id"] == str(site.old_case_id)
    assert len(bundle["events"]) == 2 and bundle["attestation"]
    page.context.close()


def test_the_compliance_pages_are_for_reviewers(site: Site) -> None:
    t = Language("en")
    page = site.page("en-GB")
    site.sign_in(page, "chen.jing")
    expect(page.get_by_role("link", name=t.gettext("Compliance review"))).to_have_count(0)
    response = page.goto(f"{site.base}/compliance/cases/{site.old_case_id}")
    assert response is not None and response.status == 403
    assert OLD_NOTE not in page.locator("main").inner_text()
    page.context.close()
