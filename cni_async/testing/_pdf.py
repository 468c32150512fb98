"""A minimal PDF 1.4 writer: one page of Helvetica text lines."""

from __future__ import annotations

_FONT_SIZE = 11
_LEADING = 15
_TOP = 760
_LEFT = 56
_FIRST_PRINTABLE = 0x20
_LAST_ASCII = 0x7E
_FIRST_LATIN1 = 0xA0
_LAST_LATIN1 = 0xFF


def pdf_string(text: str) -> bytes:
    r"""Encode `text` as a PDF literal string (with the parentheses).

    Characters outside printable Latin-1 become `?`; `\`, `(` and `)` are escaped.
    """
    out = bytearray(b"(")
    for char in text:
        code = ord(char)
        printable = _FIRST_PRINTABLE <= code <= _LAST_ASCII
        if not printable and not _FIRST_LATIN1 <= code <= _LAST_LATIN1:
            out += b"?"
        elif char in "\\()":
            out += b"\\" + char.encode("ascii")
        else:
            out.append(code)
    out += b")"
    return bytes(out)


def _content(lines: list[str]) -> bytes:
    parts = [
        b"BT",
        f"/F1 {_FONT_SIZE} Tf".encode(),
        f"{_LEADING} TL".encode(),
        f"{_LEFT} {_TOP} Td".encode(),
    ]
    for index, line in enumerate(lines):
        if index:
            parts.append(b"T*")
        parts.append(pdf_string(line) + b" Tj")
    parts.append(b"ET")
    return b"\n".join(parts) + b"\n"


def render_pdf(title: str, lines: list[str]) -> bytes:
    """A complete one-page PDF document showing `lines`, top to bottom."""
    content = _content(lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
        ),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"endstream",
        b"<< /Title " + pdf_string(title) + b" /Producer (cni_async emulator) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF"
    ).encode()
    return bytes(out)
