"""The quarterly board report as a PDF, made with fpdf2 (pure Python, from PyPI alone):
the dashboard's sections with their summaries, charts (PNG, drawn by matplotlib from the
same protected figures) and tables. The built-in Helvetica covers Latin-1 only, so
typographic punctuation is mapped to its plain form."""

from __future__ import annotations

import io

from fpdf import FPDF

from tandem.core.text import latin1

from . import charts
from .dashboard import Dashboard

COLUMNS = 6  # a wider table is printed in parts, each with the row labels


def _table(pdf: FPDF, table, width: float) -> None:
    pdf.set_font("helvetica", "", 8)
    rows = [*table.rows, *([table.footer] if table.footer else [])]
    for begin in range(0, max(len(table.columns), 1), COLUMNS):
        columns = table.columns[begin : begin + COLUMNS]
        first = min(60, width * 0.3) if len(columns) > 1 else width * 0.6
        rest = (width - first) / max(len(columns), 1)
        with pdf.table(
            col_widths=(first, *([rest] * len(columns))),
            text_align=("LEFT", *(["RIGHT"] * len(columns))),
            line_height=4.5,
            first_row_as_headings=True,
        ) as grid:
            for label, cells in [(table.heading or " ", table.columns), *rows]:
                line = grid.row()
                line.cell(latin1(label))
                for cell in cells[begin : begin + COLUMNS]:
                    line.cell(latin1(cell))
        pdf.ln(2)


def board_report_pdf(board: Dashboard, *, with_pool: bool) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(latin1("Board report"))
    pdf.set_author("Tandem")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def text(words: str, size: int = 10, style: str = "", height: float = 5) -> None:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(width, height, latin1(words), new_x="LMARGIN", new_y="NEXT")

    text("Board report", 18, "B", 9)
    text(f"{board.start:%-d %B %Y} to {board.end:%-d %B %Y}", 12, "", 7)
    text(
        f"Figures computed {board.computed_at:%-d %B %Y at %H:%M}. Counts from 1 to "
        f"{board.threshold - 1} are withheld, and so is another wherever a withheld one could "
        "be worked out from the totals; every other count is rounded to the nearest 5. "
        "Charts draw the same protected figures; withheld figures are not drawn.",
        9,
    )
    pdf.ln(3)
    for section in board.sections:
        if section.board_only and not with_pool:
            continue
        if pdf.get_y() > pdf.h - 80:
            pdf.add_page()
        text(section.title, 14, "B", 8)
        text(section.intro, 9)
        pdf.ln(2)
        for figure in section.figures:
            if pdf.get_y() > pdf.h - 70:
                pdf.add_page()
            text(figure.title, 11, "B", 6)
            text(figure.summary, 10)
            if figure.chart:
                pdf.image(io.BytesIO(charts.png(figure.chart)), w=width * 0.9)
            _table(pdf, figure.table, width)
            pdf.ln(4)
    return bytes(pdf.output())
