"""The centre director compares the departments, in a real browser, in both languages:
the dashboard shows the service indicators side by side across the departments,
pinned to the log position the page states, and the XLSX export carries the same
table on a sheet of its own with the departments' Chinese names. The page is checked
with axe-core."""

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from api.pages.language import Language
from tests.pages.conftest import Site
from tests.pages.test_pages_in_browser import assert_accessible
from tests.pages.test_work_pages import open_dashboard

FAMILY = "家庭部 Family"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_director_compares_the_departments_service_indicators(
    site: Site, language: str, tmp_path: Path
) -> None:
    t = Language(language)
    director, position = open_dashboard(site, "liang.zq", language)
    across = director.locator("#across")
    expect(across.locator("thead")).to_contain_text(FAMILY)
    expect(across.locator("thead")).to_contain_text(t.gettext("Total"))
    intakes = across.locator("tbody tr", has_text=t.gettext("Intakes")).first
    expect(intakes).to_be_visible()
    site.screenshot(director, f"dashboard-across-departments-{language}")
    assert_accessible(site, director)

    with director.expect_download() as download:
        director.get_by_role("link", name=t.gettext("Export as XLSX")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved)[t.gettext("By department")[:31]]
    assert position in str(sheet["A1"].value)
    headers = [c.value for c in sheet[3]]
    assert headers[:2] == [t.gettext("Month"), t.gettext("Indicator")]
    assert FAMILY in headers and headers[-1] == t.gettext("Total")
    family = headers.index(FAMILY)
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    intake_rows = [r for r in rows if r[1] == t.gettext("Intakes")]
    assert sum(r[family] for r in intake_rows) >= 2  # the two cases opened before the stories
    assert all(r[-1] == sum(r[2:-1]) for r in rows)
    director.context.close()
