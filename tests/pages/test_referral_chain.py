"""A referral passed on and taken back, in a real browser, in both languages: the
caseworker refers her case to the youth department; its caseworker accepts it and
refers it onward to the legal-aid agency; the case page draws the chain (the first
sender, the youth department, the agency) with its text alternative; the caseworker
withdraws the onward referral (without a reason the form refuses beside the field).
Each page is checked with axe-core."""

import pytest
from playwright.sync_api import expect

from api.pages.language import Language
from tests.pages.conftest import AGENCY, YOUTH_WORKER, Site
from tests.pages.test_pages_in_browser import assert_accessible
from tests.pages.test_work_pages import _locale, _refer

YOUTH = "青少年部 Youth"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_referral_is_passed_on_drawn_as_a_chain_and_withdrawn(site: Site, language: str) -> None:
    t = Language(language)
    worker = site.page(_locale(language))
    site.sign_in(worker, "chen.jing")
    reason = f"需要课后辅导 after-school help ({language})"
    _refer(site, worker, t, YOUTH, reason)

    youth = site.page(_locale(language))
    site.sign_in(youth, YOUTH_WORKER[0])
    youth.locator("#referrals-waiting").get_by_role("link").last.click()
    expect(youth.get_by_text(reason)).to_be_visible()
    youth.get_by_role("button", name=t.gettext("Accept the referral")).click()
    expect(youth.get_by_role("status")).to_have_text(t.gettext("The answer was recorded."))
    onward = youth.locator(
        "section", has=youth.get_by_role("heading", name=t.gettext("Refer onward"))
    )
    onward.get_by_label(t.gettext("Refer to")).select_option(label=AGENCY)
    onward.get_by_label(t.gettext("Reason for the referral")).fill(
        f"家长需要法律意见 the parents need legal advice ({language})"
    )
    site.screenshot(youth, f"referral-onward-{language}")
    assert_accessible(site, youth)
    onward.get_by_role("button", name=t.gettext("Refer onward")).click()
    expect(youth.get_by_role("status")).to_have_text(t.gettext("The referral was passed on."))
    expect(youth.locator("main dl")).to_contain_text(t.gettext("Referred onward"))
    youth.context.close()

    # The case page draws the chain, with the same hops in words for assistive technology.
    worker.goto(f"{site.base}/cases/{site.case_id}")
    chain = worker.locator("figure.chain", has_text=AGENCY).last
    expect(chain.locator("svg[role=img]")).to_be_visible()
    described = chain.locator("desc").text_content() or ""
    assert YOUTH in described and AGENCY in described
    assert t.gettext("Accepted") in described
    expect(chain.locator(".chain-box")).to_have_count(3)
    site.screenshot(worker, f"case-referral-chain-{language}")
    assert_accessible(site, worker)

    # The caseworker takes the onward referral back; a withdrawal needs its reason.
    worker.locator("#referrals tr", has_text=AGENCY).last.get_by_role("link").click()
    worker.get_by_label(t.gettext("Why it is withdrawn")).fill("  ")
    worker.get_by_role("button", name=t.gettext("Withdraw the referral")).click()
    expect(worker.locator("#withdraw-reason-error")).to_have_text(t.gettext("Give the reason."))
    assert_accessible(site, worker)
    worker.get_by_label(t.gettext("Why it is withdrawn")).fill(
        "家长自行聘请律师 they hired a lawyer"
    )
    worker.get_by_role("button", name=t.gettext("Withdraw the referral")).click()
    expect(worker.get_by_role("status")).to_have_text(t.gettext("The referral was withdrawn."))
    expect(worker.locator("h1")).to_contain_text(t.gettext("Withdrawn"))
    worker.context.close()
