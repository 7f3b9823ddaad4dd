"""The department head's and director's caseload dashboard: open cases by risk per
worker and overdue plan reviews (server-rendered SVG charts), per-department totals
and the monthly service indicators, exportable to CSV (UTF-8 with a byte-order mark,
so Excel and WPS read the Chinese) and XLSX (`xlsxwriter`).

Every report is pinned to the log position it was computed at (`?position=`, the
log's end by default) and the day overdue is judged on (`?on=`): the page says both,
and the exports of the same position and day give the same numbers however much is
recorded since. The numbers are counted over the cases the reader may see
(`view_reads.visible_case_ids`: the rule asked within the reader's reach, each case
listed recorded in the access log), from the projections' caseload view, as
`casework caseload` does.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import xlsxwriter
from litestar import Controller, Request, Response

from api.dependencies import Asking, Service
from api.pages.case_pages import Names, department_name, fresh
from api.pages.forms import Unreadable, day_of, whole
from api.pages.labels import label
from api.pages.language import N_, Language
from api.pages.rendering import PAGE_HEADERS, language_of, render
from api.pages.routes import page
from casework.aggregates.base import InvalidValue, now
from casework.application import Casework, view_reads
from casework.application.principal import Principal
from casework.projections import Projections
from casework.projections.views.caseload import Caseload, IndicatorReport, MonthlyCount

RISKS = ["critical", "high", "medium", "low"]
# Chart geometry (SVG user units).
CHART_WIDTH = 640
NAME_WIDTH = 180
BAR_HEIGHT = 22
BAR_GAP = 10
BAR_SPACE = CHART_WIDTH - NAME_WIDTH - 60

HEADERS = [
    N_("Name"),
    N_("Open cases"),
    N_("Critical"),
    N_("High"),
    N_("Medium"),
    N_("Low"),
    N_("Overdue plan reviews"),
    N_("Awaiting review"),
]
MONTHLY_HEADERS = [N_("Month"), N_("Indicator"), N_("Detail"), N_("Count")]
ACROSS_TITLE = N_("Service indicators across the departments")
INDICATORS = {
    "intake": N_("Intakes"),
    "note": N_("Notes"),
    "late_entry": N_("Late entries"),
    "group_session": N_("Group sessions"),
    "break_glass": N_("Breaks of the glass"),
    "referral_made": N_("Referrals made"),
    "referral_received": N_("Referrals received"),
    "closure": N_("Closures"),
    "reopening": N_("Reopenings"),
    "supervision_session": N_("Supervision sessions"),
}


@dataclass(frozen=True)
class Segment:
    key: str
    x: float
    width: float
    count: int


@dataclass(frozen=True)
class Bar:
    name: str
    y: float
    segments: list[Segment]
    total: int


@dataclass(frozen=True)
class Line:
    """One worker's or department's row of the report."""

    name: str
    load: Caseload

    def cells(self) -> list[str | int]:
        risk = [self.load.open_by_risk.get(r, 0) for r in RISKS]
        return [
            self.name,
            self.load.open_cases,
            *risk,
            self.load.overdue_reviews,
            self.load.awaiting_review,
        ]


@dataclass(frozen=True)
class DepartmentIndicators:
    """The service indicators side by side across the departments: one row per month
    and indicator, one count per department (in `names` order) and their total."""

    names: list[str]
    rows: list[tuple[str, str, list[int], int]]  # month, indicator, counts, total


@dataclass(frozen=True)
class Pinned:
    report: IndicatorReport
    workers: list[Line]
    departments: list[Line]
    visible: int
    across: DepartmentIndicators


def _bars(rows: list[tuple[str, list[tuple[str, int]]]]) -> tuple[list[Bar], int]:
    """Horizontal bars scaled to the largest total; returns the bars and the height."""
    largest = max((sum(c for _, c in segs) for _, segs in rows), default=0) or 1
    bars = []
    for n, (name, segments) in enumerate(rows):
        x = float(NAME_WIDTH)
        drawn = []
        for key, count in segments:
            width = BAR_SPACE * count / largest
            if count:
                drawn.append(Segment(key, round(x, 1), round(width, 1), count))
            x += width
        bars.append(Bar(name, n * (BAR_HEIGHT + BAR_GAP), drawn, sum(c for _, c in segments)))
    return bars, max(1, len(rows)) * (BAR_HEIGHT + BAR_GAP)


def pinned_report(
    request: Request[Any, Any, Any], casework: Casework, by: Principal, position: int, on: date
) -> Pinned:
    projections: Projections = request.app.state.projections
    fresh(projections, "caseload")
    fresh(projections, "case_index")  # where the reader's reach is found
    visible = view_reads.visible_case_ids(casework, projections, by)
    with projections.read("caseload") as (view, connection):
        report = view.report(connection, position, on, case_ids=visible)
        named = sorted(
            ((department_name(casework, by, k), k) for k in report.by_department),
            key=lambda d: d[0],
        )
        per_department = [
            view.monthly_by(connection, position, department_id=k, case_ids=visible)
            for _, k in named
        ]
    names = Names(casework, by)
    workers = sorted((Line(names(k), v) for k, v in report.by_worker.items()), key=_by_name)
    departments = sorted(
        (Line(department_name(casework, by, k), v) for k, v in report.by_department.items()),
        key=_by_name,
    )
    across = _across([name for name, _ in named], per_department)
    return Pinned(report, workers, departments, len(visible), across)


def _across(names: list[str], per_department: list[list[MonthlyCount]]) -> DepartmentIndicators:
    """Each department's monthly counts summed over their details, side by side."""
    counts: dict[tuple[str, str], list[int]] = {}
    for n, monthly in enumerate(per_department):
        for m in monthly:
            counts.setdefault((m.month, m.indicator), [0] * len(names))[n] += m.count
    rows = [(month, kind, row, sum(row)) for (month, kind), row in sorted(counts.items())]
    return DepartmentIndicators(names, rows)


def _by_name(line: Line) -> str:
    return line.name


def _pin(request: Request[Any, Any, Any], casework: Casework) -> tuple[int, date]:
    """The position and day asked for; the log's end and today by default."""
    last = casework.last_position()
    text = request.query_params.get("position", "").strip()
    position = whole(text, "position") if text else last
    if not 0 < position <= last:
        # Beyond the log the numbers would change as events arrive: not a pinned report.
        raise InvalidValue("position", f"{position} is not a position in the log (1 to {last})")
    day = request.query_params.get("on", "").strip()
    return position, day_of(day, "on") if day else now().date()


def _monthly_rows(language: Language, report: IndicatorReport) -> list[list[str | int]]:
    def detail(value: str) -> str:
        return language.gettext(label(value)) if value else "—"

    return [
        [
            m.month,
            language.gettext(INDICATORS.get(m.indicator, label(m.indicator))),
            detail(m.detail),
            m.count,
        ]
        for m in report.monthly
    ]


def _across_headers(language: Language, across: DepartmentIndicators) -> list[str]:
    return [
        language.gettext("Month"),
        language.gettext("Indicator"),
        *across.names,
        language.gettext("Total"),
    ]


def _across_rows(language: Language, across: DepartmentIndicators) -> list[list[str | int]]:
    return [
        [month, language.gettext(INDICATORS.get(kind, label(kind))), *counts, total]
        for month, kind, counts, total in across.rows
    ]


def _pinned_line(language: Language, pinned: Pinned) -> str:
    return language.gettext(
        "Pinned at log position %(position)s, overdue judged on %(day)s, over the %(n)s "
        "cases you may see.",
        position=pinned.report.position,
        day=pinned.report.on.isoformat(),
        n=pinned.visible,
    )


def _file_name(pinned: Pinned, extension: str) -> str:
    return f"caseload-position-{pinned.report.position}-{pinned.report.on.isoformat()}.{extension}"


def _download(body: bytes, media_type: str, file_name: str) -> Response[bytes]:
    return Response(
        body,
        media_type=media_type,
        headers={
            **PAGE_HEADERS,
            "Content-Disposition": f'attachment; filename="{file_name}"',
        },
    )


def caseload_csv(language: Language, pinned: Pinned) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_pinned_line(language, pinned)])
    for title, lines in ((N_("Workers"), pinned.workers), (N_("Departments"), pinned.departments)):
        writer.writerow([])
        writer.writerow([language.gettext(title)])
        writer.writerow([language.gettext(h) for h in HEADERS])
        writer.writerows(line.cells() for line in lines)
    writer.writerow([])
    writer.writerow([language.gettext("Monthly service indicators")])
    writer.writerow([language.gettext(h) for h in MONTHLY_HEADERS])
    writer.writerows(_monthly_rows(language, pinned.report))
    writer.writerow([])
    writer.writerow([language.gettext(ACROSS_TITLE)])
    writer.writerow(_across_headers(language, pinned.across))
    writer.writerows(_across_rows(language, pinned.across))
    # The byte-order mark tells Excel and WPS the file is UTF-8.
    return out.getvalue().encode("utf-8-sig")


def caseload_xlsx(language: Language, pinned: Pinned) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})

    def translated(headers: list[str]) -> list[str]:
        return [language.gettext(h) for h in headers]

    sheets: list[tuple[str, list[str], list[list[str | int]]]] = [
        (N_("Workers"), translated(HEADERS), [line.cells() for line in pinned.workers]),
        (N_("Departments"), translated(HEADERS), [line.cells() for line in pinned.departments]),
        (
            N_("Monthly service indicators"),
            translated(MONTHLY_HEADERS),
            _monthly_rows(language, pinned.report),
        ),
        (
            N_("By department"),
            _across_headers(language, pinned.across),
            _across_rows(language, pinned.across),
        ),
    ]
    for title, headers, rows in sheets:
        sheet = book.add_worksheet(language.gettext(title)[:31])
        sheet.write(0, 0, _pinned_line(language, pinned))
        sheet.write_row(2, 0, headers, bold)
        for n, row in enumerate(rows, start=3):
            sheet.write_row(n, 0, row)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(headers), 14)
    book.close()
    return out.getvalue()


Exporter = Callable[[Language, Pinned], bytes]
EXPORTS: dict[str, tuple[Exporter, str]] = {
    "csv": (caseload_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        caseload_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


class DashboardPages(Controller):
    path = "/dashboard"

    @page("/", operation_id="pageDashboard", summary="Page: caseload dashboard")
    def dashboard(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking
    ) -> Response[str]:
        try:
            position, on = _pin(request, casework)
        except (InvalidValue, Unreadable):
            position, on = casework.last_position(), now().date()
            refused = True
        else:
            refused = False
        pinned = pinned_report(request, casework, by, position, on)
        risk_bars, risk_height = _bars(
            [(w.name, [(r, w.load.open_by_risk.get(r, 0)) for r in RISKS]) for w in pinned.workers]
        )
        overdue_bars, overdue_height = _bars(
            [(w.name, [("overdue", w.load.overdue_reviews)]) for w in pinned.workers]
        )
        return render(
            request,
            "dashboard.html",
            by=by,
            pinned=pinned,
            report=pinned.report,
            risks=RISKS,
            headers=HEADERS,
            monthly_headers=MONTHLY_HEADERS,
            monthly=_monthly_rows(language_of(request), pinned.report),
            across_title=ACROSS_TITLE,
            across_headers=_across_headers(language_of(request), pinned.across),
            across=_across_rows(language_of(request), pinned.across),
            risk_bars=risk_bars,
            risk_height=risk_height,
            overdue_bars=overdue_bars,
            overdue_height=overdue_height,
            chart_width=CHART_WIDTH,
            name_width=NAME_WIDTH,
            bar_height=BAR_HEIGHT,
            position_refused=refused,
            last=casework.last_position(),
        )

    @page(
        "/export/{extension:str}",
        operation_id="pageDashboardExport",
        summary="Page: the caseload report as CSV or XLSX",
    )
    def export(
        self, request: Request[Any, Any, Any], casework: Service, by: Asking, extension: str
    ) -> Response[bytes]:
        if extension not in EXPORTS:
            raise InvalidValue("extension", "export as csv or xlsx")
        position, on = _pin(request, casework)
        pinned = pinned_report(request, casework, by, position, on)
        exporter, media_type = EXPORTS[extension]
        body = exporter(language_of(request), pinned)
        return _download(body, media_type, _file_name(pinned, extension))
