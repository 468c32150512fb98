"""The LOA operation: a small, valid PDF naming the interconnect."""

from __future__ import annotations

import re

import pytest

from cni_async.testing._pdf import pdf_string, render_pdf

ACCOUNT = "acc-1"


def check_pdf(pdf: bytes) -> None:
    """Assert the PDF's header, trailer and that every xref offset points at its object."""
    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF$", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n0 ")
    lines = pdf[startxref:].split(b"\n")
    count = int(lines[1].split()[1])
    entries = pdf[startxref + len(lines[0]) + len(lines[1]) + 2 :][: 20 * count]
    assert entries[:20] == b"0000000000 65535 f \n"
    for number in range(1, count):
        entry = entries[20 * number : 20 * number + 20]
        assert entry.endswith(b" 00000 n \n")
        offset = int(entry[:10])
        assert pdf[offset:].startswith(f"{number} 0 obj\n".encode())
    assert f"/Size {count} /Root 1 0 R".encode() in pdf
    length = int(re.search(rb"/Length (\d+) >>\nstream\n", pdf).group(1))
    stream_start = pdf.index(b"stream\n") + len(b"stream\n")
    assert pdf[stream_start + length :].startswith(b"endstream")


async def test_loa_is_a_pdf_naming_the_interconnect(api):
    """LOA answers application/pdf naming the interconnect, site, facility and `name`."""
    icon = await api.physical(site="NRT")
    result = await api.call(
        "GET", "interconnects", icon["name"], "loa", params={"name": "ACME Corp"}
    )
    assert result.status == 200
    assert result.headers["Content-Type"] == "application/pdf"
    check_pdf(result.raw)
    for text in ("ACME Corp", icon["name"], "NRT", icon["facility"]["name"], icon["slot_id"]):
        assert pdf_string(text)[1:-1] in result.raw


async def test_loa_without_name_names_the_account(api):
    """Without `name` (or with an empty one) the LOA is issued to the account id."""
    icon = await api.gcp()
    for params in ({}, {"name": ""}):
        result = await api.call("GET", "interconnects", icon["name"], "loa", params=params)
        check_pdf(result.raw)
        assert b"Issued to: acc-1" in result.raw
        assert icon["region"].encode() in result.raw


async def test_loa_name_limit(api):
    """`name` may have 200 characters; 201 is a 400."""
    icon = await api.physical()
    ok = await api.call("GET", "interconnects", icon["name"], "loa", params={"name": "n" * 200})
    assert ok.status == 200
    message = await api.error(
        400, "GET", "interconnects", icon["name"], "loa", params={"name": "n" * 201}
    )
    assert "200" in message


async def test_loa_unknown_interconnect(api):
    """LOA of an unknown interconnect is 404."""
    assert await api.error(404, "GET", "interconnects", "ghost", "loa") == "Interconnect not found"


async def test_loa_escapes_special_characters(api):
    """Parentheses and backslashes are escaped, and non-Latin-1 text becomes `?`."""
    icon = await api.physical()
    name = "A (b) \\ café 東京"
    result = await api.call("GET", "interconnects", icon["name"], "loa", params={"name": name})
    check_pdf(result.raw)
    assert b"(Issued to: A \\(b\\) \\\\ caf\xe9 ??) Tj" in result.raw


@pytest.mark.parametrize("lines", [[], ["one"], ["x" * 500, "(", ")", "\\", "\x00\n"]])
def test_render_pdf_offsets(lines):
    """The writer's xref offsets and stream length are exact for any content."""
    check_pdf(render_pdf("t(", lines))
