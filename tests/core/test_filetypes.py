"""A file's type is read from its content (opc.core.filetypes): real PDF, PNG, JPEG, XLSX and
DOCX files are known whatever their names; a program, a page, another ZIP, an encrypted,
broken or bomb-like ZIP is refused (422 naming what it is and what is allowed). Download
names keep the sender's name where it is safe, with the detected type's extension."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from openpyxl import Workbook
from PIL import Image
from werkzeug.http import parse_options_header

from opc.core import filetypes
from opc.core.errors import FileTypeRefused
from opc.core.filetypes import check_type, content_disposition, detect, safe_download_name

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def png() -> bytes:
    """A 1×1 PNG, chunk by chunk (signature, IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def xlsx() -> bytes:
    book = Workbook()
    book.active.append(["预算", 100])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx(types: str = DOCX_TYPES, document: str = "word/document.xml") -> bytes:
    """A minimal Word document: content types, the package's relationships, one paragraph."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        package.writestr(
            document,
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>申请书</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return buffer.getvalue()


def plain_zip(**entries: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return buffer.getvalue()


def patched(data: bytes, signature: bytes, offset: int, fmt: str, value: int) -> bytes:
    """`data` with a field of every ZIP header of `signature` overwritten (a crafted file)."""
    out = bytearray(data)
    start = out.find(signature)
    while start != -1:
        struct.pack_into(fmt, out, start + offset, value)
        start = out.find(signature, start + 4)
    return bytes(out)


REAL = {"pdf": PDF, "png": png(), "jpeg": jpeg(), "xlsx": xlsx(), "docx": docx()}
ALL = tuple(filetypes.KINDS)


@pytest.mark.parametrize("kind", ALL)
def test_each_real_file_is_known_by_its_content(kind):
    stream = io.BytesIO(REAL[kind])
    stream.seek(7)
    assert detect(stream) == kind
    assert stream.tell() == 0  # left at its start, ready to be stored
    assert check_type(stream, ALL) == kind


def test_the_real_files_are_what_their_libraries_read():
    """The crafted samples are valid files, not just the right first bytes."""
    assert Image.open(io.BytesIO(REAL["png"])).size == (1, 1)
    assert Image.open(io.BytesIO(REAL["jpeg"])).format == "JPEG"
    with zipfile.ZipFile(io.BytesIO(REAL["docx"])) as package:
        assert package.testzip() is None


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "exe"),  # a Windows program
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "html"),
        (b"\xef\xbb\xbf  <html><body>x</body></html>", "html"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "html"),
        (REAL["docx"], "docx"),  # a Word document named .pdf is still a Word document
        (REAL["png"], "png"),
        (b"just some text, named report.pdf", None),
        (b"", None),
    ],
)
def test_a_disguised_file_is_refused_naming_what_it_is(content, detected):
    with pytest.raises(FileTypeRefused) as refused:
        check_type(io.BytesIO(content), ("pdf",), field="document")
    error = refused.value
    assert error.status == 422 and error.code == "file_type_refused"
    assert error.extra == {"detected": detected, "allowed": ["pdf"]}
    assert list(error.fields) == ["document"]
    assert "PDF" in error.message and (detected is None or detected.upper() in error.message)


def test_a_pdf_header_later_in_the_file_does_not_make_it_a_pdf():
    assert detect(io.BytesIO(b"<html>\n%PDF-1.4")) == "html"


def test_the_allow_list_is_the_callers():
    assert check_type(io.BytesIO(REAL["xlsx"]), ("xlsx", "docx")) == "xlsx"
    with pytest.raises(FileTypeRefused) as refused:
        check_type(io.BytesIO(REAL["xlsx"]), ("pdf", "png", "jpeg"))
    assert refused.value.extra["detected"] == "xlsx"


def test_an_unknown_kind_in_an_allow_list_is_a_programming_error():
    with pytest.raises(ValueError, match="exe"):
        check_type(io.BytesIO(PDF), ("pdf", "exe"))


# --- ZIP packages: only real XLSX and DOCX ------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(plain_zip(**{"a.txt": b"hello"}), id="another zip"),
        pytest.param(docx(types="<Types/>"), id="docx parts without their content type"),
        pytest.param(
            plain_zip(**{"word/document.xml": b"<w:document/>"}), id="no [Content_Types].xml"
        ),
        pytest.param(
            docx(
                types=DOCX_TYPES.replace(
                    "wordprocessingml.document.main+xml", "spreadsheetml.sheet.main+xml"
                ),
            ),
            id="content type of one kind, part of the other",
        ),
        pytest.param(
            docx(types=DOCX_TYPES.replace("document.main+xml", "document.macroEnabled.main+xml")),
            id="macro-enabled document",
        ),
        pytest.param(REAL["xlsx"][: len(REAL["xlsx"]) // 2], id="truncated xlsx"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 200, id="broken zip"),
        pytest.param(
            patched(REAL["docx"], b"PK\x01\x02", 8, "<H", 0x1), id="encrypted (central directory)"
        ),
        pytest.param(
            patched(REAL["xlsx"], b"PK\x01\x02", 24, "<I", 0xFFFF_FFF0), id="huge declared entry"
        ),
        pytest.param(
            docx(types=DOCX_TYPES + " " * filetypes.MAX_CONTENT_TYPES_BYTES),
            id="huge content types part",
        ),
    ],
)
def test_a_zip_that_is_no_office_document_is_refused(content):
    assert detect(io.BytesIO(content)) == "zip"
    with pytest.raises(FileTypeRefused) as refused:
        check_type(io.BytesIO(content), ("xlsx", "docx"))
    assert refused.value.extra["detected"] == "zip"


def test_a_zip_of_too_many_entries_is_refused_unread():
    entries = {f"x/{n}.xml": b"" for n in range(filetypes.MAX_ENTRIES)}
    content = docx_with(entries)
    assert detect(io.BytesIO(content)) == "zip"
    assert detect(io.BytesIO(docx_with({}))) == "docx"


def docx_with(extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO(docx())
    with zipfile.ZipFile(buffer, "a") as package:
        for name, data in extra.items():
            package.writestr(name, data)
    return buffer.getvalue()


# --- download names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("申请书.docx", "docx", "申请书.docx"),
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("C:\\Users\\王\\预算 2026.xlsx", "xlsx", "预算 2026.xlsx"),
        ("申请书.docx", "pdf", "申请书.pdf"),  # the extension of what it is, not of its name
        ("invoice.pdf.exe", "pdf", "invoice.pdf.pdf"),
        ("photo", "jpeg", "photo.jpg"),
        ("\u202egpj.exe", "jpeg", "gpj.jpg"),  # no right-to-left override
        ('a"b\x00c\r\nd;e.pdf', "pdf", "abcd;e.pdf"),
        ("  ..  ", "png", "file.png"),
        ("", "pdf", "file.pdf"),
        ("/", "pdf", "file.pdf"),
        ("x" * 500 + ".pdf", "pdf", "x" * filetypes.MAX_NAME + ".pdf"),
    ],
)
def test_safe_download_names(name, kind, expected):
    assert safe_download_name(name, kind) == expected


@pytest.mark.parametrize(
    "name", ["申请书 v2.pdf", "plain.pdf", "a;b%20c.pdf", "Teams.csv", "单元 A/B 园区.xlsx"]
)
def test_content_disposition_reads_back_as_the_name(name):
    value = content_disposition(name)
    assert value.isascii() and "\r" not in value and "\n" not in value
    disposition, options = parse_options_header(value)
    assert disposition == "attachment"
    assert options["filename"] == name.replace("/", "_")
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and ";" not in fallback and "%" not in fallback
