"""Stories in a real browser, in both languages: a caseworker signs in (password and
one-time code), finds her case on "my work", reads it and records a note; a second
write from a stale form is told that someone else changed the case and what changed;
the psychologist on the team sees her discipline's note and is told the social-work
note is hidden and why; the administrator sees no case content. Every main page is
screenshotted and checked with axe-core (no serious or critical violation)."""

import re

import pytest
from playwright.sync_api import Page, expect

from api.pages.language import Language
from tests.pages.conftest import PSYCHOLOGY_NOTE, SOCIAL_WORK_NOTE, Site

CASE_LINK = re.compile(r"^(Case|个案) [0-9a-f]{8}$")


def texts(language: str) -> Language:
    return Language(language)


def assert_accessible(site: Site, page: Page) -> None:
    violations = site.axe_violations(page)
    assert violations == [], f"axe-core on {page.url}: {violations}"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_caseworker_signs_in_opens_her_case_and_records_a_note(site: Site, language: str) -> None:
    t = texts(language)
    page = site.page("zh-CN" if language == "zh" else "en-GB")
    page.goto(f"{site.base}/cases/{site.case_id}")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/cases/"))
    expect(page.locator("html")).to_have_attribute("lang", t.html_lang)
    site.screenshot(page, f"sign-in-{language}")
    assert_accessible(site, page)

    site.sign_in(page, "chen.jing")
    # Back where she was going: the case.
    expect(page).to_have_url(re.compile(rf"/cases/{site.case_id}$"))
    page.get_by_role("link", name=t.gettext("My work")).click()
    expect(page.get_by_role("heading", name=t.gettext("My work"), level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=t.gettext("My open cases by risk"))).to_be_visible()
    site.screenshot(page, f"my-work-{language}")
    assert_accessible(site, page)

    page.get_by_role("link", name=CASE_LINK).first.click()
    expect(page.get_by_role("heading", name=t.gettext("Summary"))).to_be_visible()
    expect(page.get_by_text(SOCIAL_WORK_NOTE)).to_be_visible()
    expect(page.get_by_text(PSYCHOLOGY_NOTE)).to_be_visible()  # the lead sees every note
    expect(page.get_by_role("heading", name=t.gettext("Who has read this case"))).to_be_visible()
    plan = page.get_by_role("heading", name=t.gettext("Case plan"))
    expect(plan).to_be_visible()
    team = page.locator("section", has=page.get_by_role("heading", name=t.gettext("Team")))
    expect(team.get_by_role("cell", name=t.gettext("Psychology"))).to_be_visible()
    site.screenshot(page, f"case-{language}")
    assert_accessible(site, page)

    narrative = f"电话跟进 phone follow-up ({language})"
    # Keyboard only: the form is reachable and usable without a mouse.
    page.get_by_label(t.gettext("Kind of contact")).focus()
    page.keyboard.press("End")
    page.get_by_label(t.gettext("Kind of contact")).select_option("phone")
    page.get_by_label(t.gettext("Duration (minutes)")).fill("15")
    page.get_by_label(t.gettext("What happened")).fill(narrative)
    stale = page.context.new_page()
    stale.goto(page.url)
    page.get_by_label(t.gettext("What happened")).press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(t.gettext("The note was recorded."))
    expect(page.get_by_text(narrative)).to_be_visible()

    # The other tab still holds the old version: its note is refused, kept, explained.
    stale.get_by_label(t.gettext("Duration (minutes)")).fill("5")
    stale.get_by_label(t.gettext("What happened")).fill("second tab")
    stale.get_by_role("button", name=t.gettext("Record the note")).click()
    conflict = stale.locator("#conflict")
    expect(conflict).to_contain_text(t.gettext("Someone else changed this case"))
    expect(conflict).to_contain_text(t.gettext("Note recorded"))
    expect(stale.get_by_label(t.gettext("What happened"))).to_have_value("second tab")
    site.screenshot(stale, f"case-conflict-{language}")
    assert_accessible(site, stale)

    page.get_by_role("button", name=t.gettext("Sign out")).click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.goto(f"{site.base}/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))
    page.context.close()


def test_a_specialist_sees_only_her_disciplines_notes_and_why(site: Site) -> None:
    t = texts("zh")
    page = site.page("zh-CN")
    site.sign_in(page, "wu.xinyi")
    page.goto(f"{site.base}/cases/{site.case_id}")
    expect(page.get_by_text(PSYCHOLOGY_NOTE)).to_be_visible()
    expect(page.get_by_text(SOCIAL_WORK_NOTE)).to_have_count(0)
    assert page.locator(".note-item[data-discipline=social_work]").count() == 0
    hidden = page.locator(".withheld")
    expect(hidden).to_contain_text(t.gettext("Social work"))
    expect(hidden).to_contain_text("sees the summary, the plan and their discipline's records")
    # Who read the case is for its lead and those above: the section is not there.
    expect(page.get_by_role("heading", name=t.gettext("Who has read this case"))).to_have_count(0)
    site.screenshot(page, "case-specialist-zh")
    assert_accessible(site, page)
    page.context.close()


def test_an_administrator_sees_no_case_content(site: Site) -> None:
    t = texts("en")
    page = site.page("en-GB")
    site.sign_in(page, "it.admin")
    expect(page.get_by_text(t.gettext("Administrators see no case content."))).to_be_visible()
    expect(page.get_by_role("link", name=CASE_LINK)).to_have_count(0)
    response = page.goto(f"{site.base}/cases/{site.case_id}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t.gettext("You may not see or do this")
    )
    body = page.locator("main").inner_text()
    assert SOCIAL_WORK_NOTE not in body and "Wang Fang" not in body
    site.screenshot(page, "case-refused-administrator-en")
    assert_accessible(site, page)
    page.context.close()


def test_the_language_switch_and_a_wrong_password(site: Site) -> None:
    page = site.page("en-GB")
    page.goto(f"{site.base}/sign-in")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    zh = texts("zh")
    page.get_by_label("用户名").fill("chen.jing")
    page.get_by_label("密码").fill("not the password")
    page.get_by_label("动态验证码").fill("000000")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text(
        zh.gettext("The user name, password or one-time code is wrong.")
    )
    # The password is never sent back to the browser.
    expect(page.get_by_label("密码")).to_have_value("")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.context.close()
