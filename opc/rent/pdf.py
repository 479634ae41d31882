"""A statement as a PDF, in Chinese and English: the park's name, the team's names, every
line and the policies it cites (WeasyPrint; the CJK font comes from
scripts/install-cjk-font.sh, so that the Chinese names are drawn and their text can be
extracted)."""

from __future__ import annotations

from flask import render_template

from opc.rent import statements
from opc.rent.models import Statement


def statement_pdf(statement: Statement) -> bytes:
    """The issued statement as a PDF document."""
    html = render_template(
        "rent/statement_pdf.html",
        statement=statement,
        view=statements.issued_view(statement),
        policies={line.policy_id: line.policy for line in statement.lines if line.policy},
    )
    # Imported here: WeasyPrint (with its fonts and cairo bindings) is most of a process's
    # start-up, and only this download needs it.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
