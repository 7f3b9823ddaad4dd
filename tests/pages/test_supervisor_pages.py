"""The supervisor's day in a real browser, in both languages: a caseworker records a
note; her supervisor finds it in the review queue and asks for a revision (first
without comments, which the form refuses beside the field); the caseworker sees the
request on the case, adds an addendum and sends the revision for review; the
supervisor approves it and the case shows it approved. The supervisor also records a
supervision session with a case discussed, a decision and an action item, and both
sign it. Every new page is screenshotted and checked with axe-core."""

import re

import pytest
from playwright.sync_api import Page, expect

from api.pages.language import Language
from tests.pages.conftest import Site
from tests.pages.test_pages_in_browser import assert_accessible


def _record_note(site: Site, page: Page, t: Language, narrative: str) -> None:
    page.goto(f"{site.base}/cases/{site.case_id}")
    page.get_by_label(t.gettext("Duration (minutes)")).fill("30")
    page.get_by_label(t.gettext("What happened"), exact=True).fill(narrative)
    page.get_by_role("button", name=t.gettext("Record the note")).click()
    expect(page.get_by_role("status")).to_have_text(t.gettext("The note was recorded."))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_note_is_sent_back_revised_and_approved(site: Site, language: str) -> None:
    t = Language(language)
    locale = "zh-CN" if language == "zh" else "en-GB"
    narrative = f"学校家访 school visit for review ({language})"
    worker = site.page(locale)
    site.sign_in(worker, "chen.jing")
    _record_note(site, worker, t, narrative)

    supervisor = site.page(locale)
    site.sign_in(supervisor, "margaret.ho")
    supervisor.get_by_role("link", name=t.gettext("Reviews and supervision")).click()
    queue = supervisor.locator("#review-queue")
    row = queue.locator("tr", has_text=narrative)
    expect(row).to_contain_text(t.gettext("Not reviewed yet"))
    site.screenshot(supervisor, f"review-queue-{language}")
    assert_accessible(site, supervisor)
    row.get_by_role("link", name=t.gettext("Review the %(kind)s", kind=t.gettext("note"))).click()
    expect(supervisor.get_by_text(narrative)).to_be_visible()

    # Asking for a revision needs comments: the refusal sits beside the field.
    supervisor.get_by_role("button", name=t.gettext("Ask for a revision")).click()
    expect(supervisor.locator("#comments-error")).to_have_text(
        t.gettext("Say what needs revising.")
    )
    expect(supervisor.get_by_role("textbox", name=t.gettext("Comments"))).to_have_attribute(
        "aria-invalid", "true"
    )
    site.screenshot(supervisor, f"review-form-refused-{language}")
    assert_accessible(site, supervisor)
    supervisor.get_by_role("textbox", name=t.gettext("Comments")).fill(
        "请写明孩子的意见 add the child's view"
    )
    supervisor.get_by_role("button", name=t.gettext("Ask for a revision")).click()
    expect(supervisor.get_by_role("status")).to_contain_text(
        t.gettext("The revision was asked for; the author sees your comments.")
    )

    # The caseworker sees the request on her note, adds an addendum, sends it back.
    worker.goto(f"{site.base}/cases/{site.case_id}")
    note = worker.locator(".note-item", has_text=narrative)
    expect(note.locator(".review-state")).to_contain_text("add the child's view")
    note.locator("summary", has_text=t.gettext("Add an addendum")).click()
    note.get_by_label(t.gettext("Addendum"), exact=True).fill(
        "孩子说想和妈妈住 the child wants to stay"
    )
    note.get_by_label(t.gettext("Why it is added")).fill("supervisor asked")
    note.get_by_role("button", name=t.gettext("Add the addendum")).click()
    expect(worker.get_by_role("status")).to_have_text(t.gettext("Recorded."))
    note = worker.locator(".note-item", has_text=narrative)
    note.get_by_role("button", name=t.gettext("Send the revision for review")).click()
    note = worker.locator(".note-item", has_text=narrative)
    expect(note.locator(".review-state")).to_contain_text(t.gettext("revision sent for review"))

    # Back in the queue as revised; the supervisor approves it.
    supervisor.goto(f"{site.base}/reviews")
    row = supervisor.locator("#review-queue tr", has_text=narrative)
    expect(row).to_contain_text(t.gettext("Revised: judge it again"))
    row.get_by_role("link").first.click()
    expect(supervisor.get_by_text("the child wants to stay")).to_be_visible()
    supervisor.get_by_role("button", name=t.gettext("Approve")).click()
    expect(supervisor.get_by_role("status")).to_have_text(t.gettext("Approved."))
    site.screenshot(supervisor, f"review-approved-{language}")
    assert_accessible(site, supervisor)
    supervisor.goto(f"{site.base}/reviews")
    expect(supervisor.locator("#review-queue tr", has_text=narrative)).to_have_count(0)

    worker.goto(f"{site.base}/cases/{site.case_id}")
    note = worker.locator(".note-item", has_text=narrative)
    expect(note.locator(".review-state")).to_have_text(t.gettext("Approved (version %(v)s).", v=2))
    worker.context.close()
    supervisor.context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_supervision_session_is_recorded_and_signed(site: Site, language: str) -> None:
    t = Language(language)
    locale = "zh-CN" if language == "zh" else "en-GB"
    supervisor = site.page(locale)
    site.sign_in(supervisor, "margaret.ho")
    supervisor.goto(f"{site.base}/reviews")
    due = supervisor.locator("#supervision-due")
    expect(due).to_contain_text("Chen Jing")
    supervisor.get_by_role("link", name=t.gettext("Record a supervision session")).click()
    # No supervisee ticked: refused beside the field, nothing recorded.
    supervisor.get_by_role("button", name=t.gettext("Record the session")).click()
    expect(supervisor.locator("#supervisees-error")).to_be_visible()
    supervisor.get_by_label(re.compile("Chen Jing")).check()
    supervisor.get_by_role("button", name=t.gettext("Record the session")).click()
    expect(supervisor).to_have_url(re.compile(r"/supervision/[0-9a-f-]{36}$"))

    supervisor.get_by_label(t.gettext("What was said")).fill("风险评估讨论 risk discussed")
    supervisor.get_by_label(t.gettext("Advice (one point a line)")).fill("safety plan\nweekly call")
    supervisor.get_by_role("button", name=t.gettext("Record the discussion")).click()
    expect(supervisor.get_by_text("风险评估讨论 risk discussed")).to_be_visible()
    supervisor.get_by_role("textbox", name=t.gettext("Decision"), exact=True).fill(
        "keep the case at medium risk"
    )
    supervisor.get_by_role("button", name=t.gettext("Record the decision")).click()
    expect(supervisor.locator("#decisions")).to_contain_text("keep the case at medium risk")
    # Blank (spaces pass the browser's own check): the server refuses it by the field.
    supervisor.get_by_label(t.gettext("What is to be done")).fill("   ")
    supervisor.get_by_label(t.gettext("Due on")).fill("2099-01-31")
    supervisor.get_by_role("button", name=t.gettext("Add the action item")).click()
    expect(supervisor.locator("#description-error")).to_have_text(
        t.gettext("Say what is to be done.")
    )
    supervisor.get_by_label(t.gettext("What is to be done")).fill("call the school")
    supervisor.get_by_label(t.gettext("Who does it")).select_option(label="陈静 Chen Jing")
    supervisor.get_by_label(t.gettext("Due on")).fill("2099-01-31")
    supervisor.get_by_role("button", name=t.gettext("Add the action item")).click()
    expect(supervisor.locator("#action-items")).to_contain_text("call the school")
    supervisor.get_by_role("button", name=t.gettext("Sign the record")).click()
    expect(supervisor.locator("#signatures")).to_contain_text("Dr Margaret Ho")
    site.screenshot(supervisor, f"supervision-session-{language}")
    assert_accessible(site, supervisor)

    worker = site.page(locale)
    site.sign_in(worker, "chen.jing")
    worker.goto(supervisor.url)
    expect(worker.get_by_text("风险评估讨论 risk discussed")).to_be_visible()
    expect(worker.get_by_role("button", name=t.gettext("Record the decision"))).to_have_count(0)
    worker.get_by_role("button", name=t.gettext("Mark done")).click()
    worker.get_by_role("button", name=t.gettext("Sign the record")).click()
    expect(
        worker.get_by_text(t.gettext("Everyone has signed: the record is closed to edits."))
    ).to_be_visible()
    worker.context.close()
    supervisor.context.close()
