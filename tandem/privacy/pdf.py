"""A progress report as a PDF, made with fpdf2 (pure Python, from PyPI alone).

The built-in Helvetica covers Latin-1 only, so typographic punctuation is mapped to its
plain form and anything else outside Latin-1 becomes "?" rather than failing.
"""

from __future__ import annotations

from fpdf import FPDF

from tandem.core.text import latin1

from .models import ProgressReport

SCORE_WORDS = {
    -2: "much less than expected",
    -1: "somewhat less than expected",
    0: "as expected",
    1: "somewhat more than expected",
    2: "much more than expected",
}


def report_pdf(report: ProgressReport, contents: dict) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(f"Progress report {report.case.reference}"))
    pdf.set_author("Tandem")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def heading(text, size=13):
        pdf.set_font("helvetica", "B", size)
        pdf.multi_cell(width, 8, latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def para(text):
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(width, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    heading(f"Progress report: {report.case.reference}", 16)
    para(
        f"For {report.get_audience_display().lower()}. Covers "
        f"{report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}."
    )
    if report.released_at:
        para(f"Released on {report.released_at:%-d %B %Y}.")
    para("Confidential: shared for the purpose and on the lawful basis recorded by the scheme.")
    if report.overall:
        heading("Overall progress")
        para(report.overall)
    attendance = contents.get("attendance", {})
    heading("Attendance")
    rate = attendance.get("rate")
    para(
        f"Sessions held: {attendance.get('held', 0)}. Did not attend: "
        f"{attendance.get('did_not_attend', 0)}. Cancelled: {attendance.get('cancelled', 0)}."
        + (f" Attendance rate: {rate}%." if rate is not None else "")
    )
    heading("Goals")
    goals = contents.get("goals", [])
    if not goals:
        para("No goals are set in the plan.")
    for goal in goals:
        score = goal.get("score")
        attained = (
            f"latest score {score:+d}, {SCORE_WORDS[score]}" if score is not None else "not scored"
        )
        para(f"{goal['title']} (set by {goal['owner'].lower()}): {attained}.")
    if contents.get("t_score"):
        para(
            f"Goal attainment T-score at the review of {contents['reviewed_on']}: "
            f"{contents['t_score']} (50 means goals met as expected)."
        )
    heading("Session summaries")
    sessions = contents.get("sessions", [])
    if not sessions:
        para("No session summary was recorded in this period.")
    for session in sessions:
        pdf.set_font("helvetica", "B", 11)
        pdf.multi_cell(width, 6, latin1(session["date"]), new_x="LMARGIN", new_y="NEXT")
        para(session["summary"])
    return bytes(pdf.output())
