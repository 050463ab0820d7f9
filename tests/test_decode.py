"""Decoding: every supported encoding round-trips; bad bytes are clear errors, never U+FFFD."""

from __future__ import annotations

import codecs

import pytest

from extract.decode import decode
from extract.errors import BinaryInput, EmptyInput, UndecodableInput

TEXT = "兰州新区经济合作局\n2020年度部门预算执行情况绩效自评报告\n全年支出156.99万元。"


@pytest.mark.parametrize("data,encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gbk"), "gb18030"),
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
])
def test_encodings(data, encoding):
    assert decode(data) == (TEXT, encoding)


@pytest.mark.parametrize("data,error", [
    (b"", EmptyInput),
    (b"   \n\t ", EmptyInput),
    (b"\x00\x01\x02\x03binary", BinaryInput),
    (bytes(range(1, 32)) * 20, BinaryInput),
    (b"\xff\xfe\x00", UndecodableInput),   # UTF-16 BOM then half a code unit
    (b"\x81\x30\xff\xff\xff\xff", UndecodableInput),
])
def test_bad_bytes(data, error):
    with pytest.raises(error) as e:
        decode(data, "r.txt")
    assert "r.txt" in str(e.value)
    assert "\ufffd" not in str(e.value)
