"""Reading a report run's files back: the CSV's rows, the XLSX workbook."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from opc.core.storage import storage
from opc.reports.models import ReportRun


def file_bytes(run: ReportRun, fmt: str) -> bytes:
    [found] = [f for f in run.files if f.format == fmt]
    with storage().open(found.storage_key) as stream:
        return stream.read()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


def workbook(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))
