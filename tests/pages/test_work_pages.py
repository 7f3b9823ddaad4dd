"""The rest of a day's work in a real browser, in both languages: a caseworker refers
her case to the youth department and to a legal-aid agency; the youth department's
caseworker finds the referral on "my work" and answers it (a decline without a reason
is refused beside the field, then she accepts); the agency's answer is recorded by the
caseworker with the agency contact's name. The department head opens the caseload
dashboard (pinned to a log position) and exports it as CSV and XLSX, which carry the
Chinese names. The administrator opens an account, sees its one-time code once, and
sees no case content. The caseworker records an assessment (a rating without its few
words is refused beside the field), proposes a plan and adds a team member. Every new
page is screenshotted and checked with axe-core."""

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from api.pages.language import Language
from tests.pages.conftest import (
    AGENCY,
    OLD_NOTE,
    PSYCHOLOGY_NOTE,
    SOCIAL_WORK_NOTE,
    WITHOUT_ACCOUNT,
    YOUTH_WORKER,
    Site,
)
from tests.pages.test_pages_in_browser import assert_accessible


def _locale(language: str) -> str:
    return "zh-CN" if language == "zh" else "en-GB"


def _refer(site: Site, page: Page, t: Language, to: str, reason: str) -> None:
    page.goto(f"{site.base}/cases/{site.case_id}")
    page.locator("#refer summary").click()
    page.get_by_label(t.gettext("Refer to")).select_option(label=to)
    page.get_by_label(t.gettext("Reason for the referral")).fill(reason)
    page.get_by_label(t.gettext("Urgency")).select_option("urgent")
    page.get_by_role("button", name=t.gettext("Send the referral")).click()
    expect(page.get_by_role("status")).to_have_text(t.gettext("The referral was sent."))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_referral_is_answered_by_the_receiving_department_and_an_agency(
    site: Site, language: str
) -> None:
    t = Language(language)
    worker = site.page(_locale(language))
    site.sign_in(worker, "chen.jing")
    reason = f"孩子需要青少年部的学业支持 school support ({language})"
    _refer(site, worker, t, "青少年部 Youth", reason)
    referrals = worker.locator("#referrals")
    expect(referrals).to_contain_text("青少年部 Youth")

    youth = site.page(_locale(language))
    site.sign_in(youth, YOUTH_WORKER[0])
    waiting = youth.locator("#referrals-waiting")
    expect(waiting.get_by_role("heading")).to_have_text(
        t.gettext("Referrals waiting for my answer")
    )
    site.screenshot(youth, f"my-work-referrals-{language}")
    assert_accessible(site, youth)
    waiting.get_by_role("link").last.click()
    expect(youth.get_by_text(reason)).to_be_visible()
    # The receiving department sees the referral, not the case's notes.
    expect(youth.get_by_text(SOCIAL_WORK_NOTE)).to_have_count(0)
    # A decline needs its reason: refused beside the field, in the page's language.
    youth.get_by_label(t.gettext("Why it is declined")).fill("   ")
    youth.get_by_role("button", name=t.gettext("Decline the referral")).click()
    expect(youth.locator("#decline-reason-error")).to_have_text(t.gettext("Give the reason."))
    expect(youth.get_by_label(t.gettext("Why it is declined"))).to_have_attribute(
        "aria-invalid", "true"
    )
    site.screenshot(youth, f"referral-refused-{language}")
    assert_accessible(site, youth)
    youth.get_by_role("button", name=t.gettext("Accept the referral")).click()
    expect(youth.get_by_role("status")).to_have_text(t.gettext("The answer was recorded."))
    answers = youth.locator("#answers")
    expect(answers).to_contain_text(t.gettext("Accepted"))
    expect(answers).to_contain_text("李娜 Li Na")
    site.screenshot(youth, f"referral-answered-{language}")
    assert_accessible(site, youth)

    # An agency has no account: the caseworker records its answer with its contact.
    _refer(site, worker, t, AGENCY, f"需要法律援助 legal aid ({language})")
    worker.locator("#referrals tr", has_text=AGENCY).last.get_by_role("link").click()
    worker.get_by_role("button", name=t.gettext("Accept the referral")).click()
    expect(worker.locator("#accept-agency_contact-error")).to_have_text(
        t.gettext("Name the person at the agency who gave this answer.")
    )
    worker.get_by_label(t.gettext("Who at the agency gave this answer")).first.fill("王主任")
    worker.get_by_role("button", name=t.gettext("Accept the referral")).click()
    expect(worker.locator("#answers")).to_contain_text("王主任")
    worker.context.close()
    youth.context.close()


def open_dashboard(site: Site, user_name: str, language: str) -> tuple[Page, str]:
    """`user_name` signed in, on the caseload dashboard; and the log position the page
    says its report is pinned to."""
    page = site.page(_locale(language))
    site.sign_in(page, user_name)
    page.get_by_role("link", name=Language(language).gettext("Caseload dashboard")).click()
    position = re.search(r"(\d+)", page.locator("#pinned").inner_text())
    assert position is not None
    return page, position[1]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_department_head_exports_the_caseload_report(
    site: Site, language: str, tmp_path: Path
) -> None:
    t = Language(language)
    head, position = open_dashboard(site, "huang.li", language)
    expect(head.locator("#risk-chart")).to_be_visible()
    expect(head.locator("#overdue-chart")).to_be_visible()
    expect(head.locator("#workers")).to_contain_text("陈静 Chen Jing")
    site.screenshot(head, f"dashboard-{language}")
    assert_accessible(site, head)

    with head.expect_download() as csv_download:
        head.get_by_role("link", name=t.gettext("Export as CSV")).click()
    body = csv_download.value.path().read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel and WPS look for
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert position in rows[0][0]
    assert t.gettext("Open cases") in rows[3]
    chen = next(r for r in rows if r and r[0] == "陈静 Chen Jing")
    assert int(chen[1]) >= 2  # her two open cases

    with head.expect_download() as xlsx_download:
        head.get_by_role("link", name=t.gettext("Export as XLSX")).click()
    saved = tmp_path / xlsx_download.value.suggested_filename
    assert saved.suffix == ".xlsx"
    xlsx_download.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    sheet = book[t.gettext("Workers")[:31]]
    assert position in str(sheet["A1"].value)
    assert sheet["B3"].value == t.gettext("Open cases")
    names = [sheet.cell(row=r, column=1).value for r in range(4, sheet.max_row + 1)]
    assert "陈静 Chen Jing" in names
    row = names.index("陈静 Chen Jing") + 4
    assert sheet.cell(row=row, column=2).value == int(chen[1])
    head.context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_administrator_opens_an_account_and_sees_no_case_content(
    site: Site, language: str
) -> None:
    t = Language(language)
    admin = site.page(_locale(language))
    site.sign_in(admin, "it.admin")
    admin.get_by_role("link", name=t.gettext("Accounts")).click()
    expect(admin.get_by_role("heading", name=t.gettext("Accounts"), level=1)).to_be_visible()
    admin.get_by_label(t.gettext("For"), exact=True).select_option(label=WITHOUT_ACCOUNT[language])
    admin.get_by_label(t.gettext("User name")).fill(f"new.worker-{language}")
    admin.get_by_role("button", name=t.gettext("Open the account")).click()
    code = admin.locator("#code")
    expect(code).to_have_text(re.compile(r"\S{6,}"))
    expect(admin.locator("#staff")).to_contain_text(f"new.worker-{language}")
    site.screenshot(admin, f"accounts-{language}")
    assert_accessible(site, admin)
    text = admin.locator("main").inner_text()
    for content in (SOCIAL_WORK_NOTE, PSYCHOLOGY_NOTE, OLD_NOTE, "张敏", "money trouble"):
        assert content not in text
    # Shown once: the page read again has no code.
    admin.goto(f"{site.base}/accounts")
    expect(admin.locator("#code")).to_have_count(0)
    # The same user name again is refused beside the field.
    admin.get_by_label(t.gettext("User name")).fill(f"new.worker-{language}")
    admin.get_by_role("button", name=t.gettext("Open the account")).click()
    expect(admin.locator("#open-user_name-error")).to_have_text(
        t.gettext("This user name is taken.")
    )
    # The case itself is refused to the administrator.
    admin.goto(f"{site.base}/cases/{site.case_id}")
    expect(admin.get_by_text(SOCIAL_WORK_NOTE)).to_have_count(0)
    admin.goto(f"{site.base}/dashboard")
    expect(admin.locator("#workers")).not_to_contain_text("陈静")
    admin.context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_caseworker_assesses_plans_and_builds_the_team(site: Site, language: str) -> None:
    t = Language(language)
    worker = site.page(_locale(language))
    site.sign_in(worker, "chen.jing")
    worker.goto(f"{site.base}/cases/{site.case_id}")
    worker.locator("#assessment summary").click()
    family = t.gettext("Family")
    worker.get_by_label(t.gettext("%(domain)s: rating", domain=family)).select_option("4")
    worker.get_by_label(t.gettext("Summary of the assessment")).fill("家庭冲突 family conflict")
    worker.get_by_role("button", name=t.gettext("Record the assessment")).click()
    # The rating without its few words: refused beside the domains, what was typed kept.
    expect(worker.locator("#as-domains-error")).to_have_text(
        t.gettext("Rate at least one domain from 1 to 5, with a few words.")
    )
    expect(worker.get_by_label(t.gettext("Summary of the assessment"))).to_have_value(
        "家庭冲突 family conflict"
    )
    site.screenshot(worker, f"assessment-refused-{language}")
    assert_accessible(site, worker)
    worker.get_by_label(t.gettext("%(domain)s: in a few words", domain=family)).fill(
        "父母争吵频繁 frequent rows"
    )
    worker.get_by_role("button", name=t.gettext("Record the assessment")).click()
    expect(worker.get_by_role("status")).to_have_text(t.gettext("Recorded."))
    expect(worker.locator("#assessments")).to_contain_text("frequent rows")

    worker.locator("#plan summary").click()
    goal = worker.locator("#plan fieldset").last
    goal.get_by_label(t.gettext("Goal"), exact=True).fill(f"改善亲子沟通 better talk ({language})")
    goal.get_by_label(t.gettext("Discipline")).select_option("social_work")
    goal.get_by_label(t.gettext("Responsible person")).select_option(label="陈静 Chen Jing")
    goal.get_by_label(t.gettext("Target date")).fill("2099-06-30")
    goal.get_by_label(t.gettext("Review date")).fill("2099-03-31")
    worker.get_by_role("button", name=t.gettext("Propose the plan version")).click()
    expect(worker.get_by_role("status")).to_have_text(t.gettext("Recorded."))
    plan = worker.locator("section", has=worker.get_by_role("heading", name=t.gettext("Case plan")))
    expect(plan).to_contain_text(f"better talk ({language})")

    worker.locator("#team-member summary").click()
    worker.get_by_label(t.gettext("Person"), exact=True).select_option(label="周律师 Zhou Min")
    worker.get_by_label(t.gettext("Discipline on this case")).select_option("psychology")
    worker.get_by_role("button", name=t.gettext("Add to the team")).click()
    # Zhou Min practises law, not psychology: refused beside the discipline.
    expect(worker.locator("#tm-discipline-error")).to_have_text(
        t.gettext("Choose a discipline the person practises.")
    )
    site.screenshot(worker, f"case-forms-{language}")
    assert_accessible(site, worker)
    worker.context.close()
