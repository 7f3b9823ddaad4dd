"""Break-the-glass in a real browser, in both languages: the lawyer, not on the family
case's team, is refused it (and told nothing of its content) but offered emergency
access; with a reason she reads it under a banner that says who was told and that every
read is recorded; ending it refuses the case again."""

import pytest
from playwright.sync_api import expect

from api.pages.language import Language
from tests.pages.conftest import SOCIAL_WORK_NOTE, Site
from tests.pages.test_pages_in_browser import assert_accessible


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_specialist_breaks_the_glass_and_ends_it(site: Site, language: str) -> None:
    t = Language(language)
    page = site.page("zh-CN" if language == "zh" else "en-GB")
    site.sign_in(page, "zhou.min")
    response = page.goto(f"{site.base}/cases/{site.case_id}")
    assert response is not None and response.status == 403
    assert SOCIAL_WORK_NOTE not in page.locator("main").inner_text()
    expect(page.get_by_role("heading", name=t.gettext("Break the glass"))).to_be_visible()
    site.screenshot(page, f"break-the-glass-offer-{language}")
    assert_accessible(site, page)

    page.get_by_label(t.gettext("Why, now")).fill("服务对象来电求助 client called for help")
    page.get_by_role("button", name=t.gettext("Open the case in an emergency")).click()
    banner = page.locator("#glass-banner")
    expect(banner).to_contain_text(t.gettext("End emergency access"))
    expect(page.get_by_text(SOCIAL_WORK_NOTE)).to_be_visible()
    site.screenshot(page, f"break-the-glass-banner-{language}")
    assert_accessible(site, page)

    banner.get_by_role("button", name=t.gettext("End emergency access")).click()
    expect(page.get_by_role("heading", name=t.gettext("Break the glass"))).to_be_visible()
    assert SOCIAL_WORK_NOTE not in page.locator("main").inner_text()
    page.context.close()
