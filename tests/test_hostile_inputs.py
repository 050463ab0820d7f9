"""Hostile and odd inputs: guessed encodings are said or refused, non-files are never read, zip bombs are
refused before they inflate. Real files and pipes made in tmp_path; every failure is a coded error."""

from __future__ import annotations

import codecs
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest

import extract.decode
from extract.decode import decode
from extract.errors import (
    BinaryInput,
    CorruptInput,
    InputTooLarge,
    NotARegularFile,
    UndecodableInput,
    UnsafeArchive,
    UnsupportedFormat,
)
from extract.readers import (
    MAX_UNPACKED_BYTES,
    MIN_UNPACKED_BYTES,
    read_bytes,
    read_file,
    read_raw,
    unpacked_limit,
)

SIMPLIFIED = "兰州新区经济合作局\n2020年度部门预算执行情况绩效自评报告\n全年支出156.99万元。"
TRADITIONAL = ("二零二三年度部門整體支出績效自評報告\n預算執行率為97.94%，全年支出156.99萬元。\n"
               "一、部門基本情況\n本單位主要職能是負責轄區內經濟發展規劃、項目管理與資金監督。\n"
               "二、績效目標完成情況良好，群眾滿意度達到95%以上。\n")
# Simplified text whose GBK bytes are also valid Big5 (as garbage): the guess must stay gb18030.
GBK_ALSO_BIG5 = "本单位主要职能是负责辖区内经济发展规划"


# ------------------------------------------------------------------------------------------ decoding

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [SIMPLIFIED, TRADITIONAL, "Budget performance report 2020\nTotal: 156.99\n"])
def test_utf16_without_bom(text, encoding):
    data = text.encode(encoding)
    assert not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    assert decode(data, "r.txt") == (text, encoding)


def test_utf16_without_bom_file(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes(SIMPLIFIED.encode("utf-16-le"))
    doc = read_file(path, 1 << 20)
    assert (doc.text, doc.encoding, doc.format) == (SIMPLIFIED, "utf-16-le", "txt")


@pytest.mark.parametrize("data", [
    bytes(random.Random(2).randrange(256) for _ in range(4000)) + b"\x00\x00",     # noise with NULs
    b"".join(bytes((random.Random(i).randrange(1, 32), 0)) for i in range(500)),  # NULs on one side, controls
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 50,             # an .exe header
    b"\x00\x01\x02\x03binary",
])
def test_nul_bytes_that_are_not_utf16_stay_binary(data):
    with pytest.raises(BinaryInput) as e:
        decode(data, "r.txt")
    assert "r.txt" in str(e.value) and "[E004]" in str(e.value)


def test_big5_is_decoded_as_big5():
    assert decode(TRADITIONAL.encode("big5"), "r.txt") == (TRADITIONAL, "big5")


def test_big5_file_reads_as_big5(tmp_path):
    path = tmp_path / "traditional.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    doc = read_file(path, 1 << 20)
    assert (doc.text, doc.encoding) == (TRADITIONAL, "big5")


@pytest.mark.parametrize("text", [SIMPLIFIED, GBK_ALSO_BIG5, GBK_ALSO_BIG5 * 50])
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_simplified_stays_gb18030(text, encoding):
    assert decode(text.encode(encoding)) == (text, "gb18030")


def test_gbk_text_that_is_also_valid_big5_is_not_taken_for_big5():
    data = GBK_ALSO_BIG5.encode("gbk")
    data.decode("big5")  # the premise: Big5 would decode it too, into nonsense
    assert decode(data) == (GBK_ALSO_BIG5, "gb18030")


def _random_high_bytes(seed: int, n: int = 4000, lo: int = 0x81, hi: int = 0xFF) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(lo, hi) for _ in range(n))


@pytest.mark.parametrize("data", [
    _random_high_bytes(1),
    _random_high_bytes(7),
    _random_high_bytes(3, lo=0xA1, hi=0xFA),                  # the GB2312 range: many common characters
    bytes(random.Random(1).randrange(0x81, 0xFF) for _ in range(4000)),  # one byte repeated: 拻拻拻…
    "報告".encode("big5") + _random_high_bytes(5),
])
def test_mojibake_is_an_error_not_text(data):
    with pytest.raises(UndecodableInput) as e:
        decode(data, "junk.txt")
    message = str(e.value)
    assert message.startswith("junk.txt: [E003]")
    assert "gb18030" in message or "big5" in message      # names the encoding it tried
    assert "mojibake" in message and "UTF-8" in message   # says what is wrong and how to fix it


def test_mojibake_file_fails_through_read_file(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(_random_high_bytes(11))
    with pytest.raises(UndecodableInput, match="junk.txt"):
        read_file(path, 1 << 20)


def test_a_few_rare_characters_are_still_a_report():
    text = SIMPLIFIED + "\n项目负责人：王堃、李昇，地点：甘肃省兰州市。"   # rare name characters
    assert decode(text.encode("gb18030")) == (text, "gb18030")


def test_utf8_never_calls_the_detector(monkeypatch):
    def forbidden(text):
        raise AssertionError("UTF-8 input must not be guessed at")

    monkeypatch.setattr(extract.decode, "plausibility", forbidden)
    big = (SIMPLIFIED + "\n") * 20000
    assert decode(big.encode("utf-8")) == (big, "utf-8")


# ------------------------------------------------------------------------------------------ not regular files

def _within(seconds: float, fn, *args):
    """fn(*args) in a daemon thread; fails the test (instead of hanging it) if it takes longer."""
    result: dict = {}

    def run():
        try:
            result["value"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            result["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return None, TimeoutError(f"still running after {seconds} s")
    return result.get("value"), result.get("error")


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    value, error = _within(30, read_file, fifo, 1 << 20)
    if isinstance(error, TimeoutError):
        try:  # unblock the stuck reader so the thread can end
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        pytest.fail("read_file blocked on a FIFO")
    assert isinstance(error, NotARegularFile), error
    assert str(error) == f"{fifo}: [E015] is a named pipe (FIFO), not a regular file; give a saved report file " \
                         "(.txt, .docx, .pdf, .html, .doc, .xlsx, .ofd …)"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_symlink_to_dev_zero_is_refused(tmp_path):
    link = tmp_path / "report.txt"
    link.symlink_to("/dev/zero")
    value, error = _within(30, read_file, link, 1 << 40)   # a limit that would not stop /dev/zero
    assert isinstance(error, NotARegularFile), error
    assert str(link) in str(error) and "character device" in str(error) and "[E015]" in str(error)


def test_socket_is_refused(tmp_path):
    path = tmp_path / "s.txt"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            sock.bind(str(path))
        except OSError as e:  # path too long for a Unix socket on this machine
            pytest.skip(f"cannot bind a Unix socket here: {e}")
        value, error = _within(30, read_file, path, 1 << 20)
        assert isinstance(error, NotARegularFile), error
        assert "a socket" in str(error) and str(path) in str(error)
    finally:
        sock.close()


def test_directory_is_refused(tmp_path):
    folder = tmp_path / "reports.txt"
    folder.mkdir()
    with pytest.raises(UnsupportedFormat) as e:
        read_file(folder, 1 << 20)
    assert str(e.value) == f"{folder}: [E006] is a directory; give the files inside it"


def test_symlink_to_a_regular_file_is_read(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text(SIMPLIFIED, encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert read_file(link, 1 << 20).text == SIMPLIFIED


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_file_bigger_than_its_stat_size_is_cut_at_the_limit():
    # /proc files are regular files that say they are 0 bytes long: only the read cap stops them
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(InputTooLarge, match=r"grew past the limit of 16 bytes"):
        read_file("/proc/self/status", 16)


def test_read_raw_refuses_the_same_before_reading(tmp_path):
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    value, error = _within(30, read_raw, fifo, 1 << 20)
    assert isinstance(error, NotARegularFile) and "[E015]" in str(error), error


def test_a_huge_limit_does_not_allocate_the_limit(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(SIMPLIFIED, encoding="utf-8")
    tracemalloc.start()
    try:
        assert read_file(path, 1 << 40).text == SIMPLIFIED    # read(max_bytes + 1) would ask for 1 TB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 << 20


def test_cli_refuses_a_fifo(tmp_path):
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    try:
        proc = subprocess.run([sys.executable, "-m", "extract", "extract", str(fifo)], capture_output=True,
                              text=True, timeout=10, cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        pytest.fail("reportx extract blocked on a FIFO")
    assert proc.returncode == 1 and "[E015]" in proc.stderr


def test_fifos_devices_and_link_loops_in_a_walked_folder_are_error_rows(tmp_path):
    """A walk never hangs and never skips silently: each odd entry is one error row with its code."""
    folder = tmp_path / "walk"
    folder.mkdir()
    (folder / "good.txt").write_text("全年支出100万元。", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)   # a folder loop: not followed
    db = tmp_path / "w.db"
    try:
        proc = subprocess.run([sys.executable, "-m", "extract", "ingest", str(folder), "--db", str(db), "--json",
                               "--workers", "1"], capture_output=True, text=True, timeout=60,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        pytest.fail("ingest blocked on a FIFO or a device in a walked folder")
    summary = json.loads(proc.stdout)
    codes = {Path(e["path"]).name: e["code"] for e in summary["errors"]}
    assert summary["ingested"] == 1 and proc.returncode == 1
    assert codes["pipe.txt"] == "E015" and codes["zero.txt"] == "E015" and "loop.txt" in codes


def test_missing_file_still_e001(tmp_path):
    with pytest.raises(Exception) as e:
        read_file(tmp_path / "nope.txt", 1 << 20)
    assert "[E001]" in str(e.value)


# ------------------------------------------------------------------------------------------ zip bombs

_DOC_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             b"<w:body><w:p><w:r><w:t>")
_DOC_TAIL = b"</w:t></w:r></w:p></w:body></w:document>"


def _docx_with_document(path: Path, tmp_path: Path, body_bytes: int) -> Path:
    """A real python-docx file whose word/document.xml is replaced by one run of `body_bytes` "a"s."""
    template = tmp_path / "template.docx"
    d = docx.Document()
    d.add_paragraph("兰州新区经济合作局")
    d.save(template)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open("word/document.xml", "w") as f:
                f.write(_DOC_HEAD)
                chunk = b"a" * (16 << 20)
                left = body_bytes
                while left > 0:
                    f.write(chunk[:left])
                    left -= len(chunk)
                f.write(_DOC_TAIL)
    return path


def test_docx_zip_bomb_is_refused_before_parsing(tmp_path):
    bomb = _docx_with_document(tmp_path / "bomb.docx", tmp_path, 300 << 20)
    assert bomb.stat().st_size < 2 << 20          # a small file ...
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeArchive) as e:
            read_file(bomb, 50 << 20)             # ... under the default --max-bytes
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20                        # nothing near 300 MB was inflated
    message = str(e.value)
    assert message.startswith(f"{bomb}: [E012] unpacks to ")
    assert f"over the limit of {MAX_UNPACKED_BYTES} bytes" in message


def test_docx_ceiling_follows_max_bytes(tmp_path):
    # 30 MB of XML: over 20 × a 1 MB limit, under the 200 MB cap
    big = _docx_with_document(tmp_path / "big.docx", tmp_path, 30 << 20)
    assert unpacked_limit(1 << 20) == 20 << 20
    assert unpacked_limit(50 << 20) == MAX_UNPACKED_BYTES
    assert unpacked_limit(1 << 30) == 1 << 30
    assert unpacked_limit(1000) == MIN_UNPACKED_BYTES
    with pytest.raises(UnsafeArchive, match=rf"over the limit of {20 << 20} bytes"):
        read_file(big, 1 << 20)


def _lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s uncompressed size rewritten to `size` in both its headers."""
    out = bytearray(data)
    name = member.encode()
    at = 0
    while True:
        at = out.index(b"PK\x01\x02", at)
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46:at + 46 + name_len] == name:
            struct.pack_into("<I", out, at + 24, size)
            local = struct.unpack_from("<I", out, at + 42)[0]
            struct.pack_into("<I", out, local + 22, size)
            return bytes(out)
        at += 4


def test_docx_that_lies_about_its_size_is_refused(tmp_path):
    honest = _docx_with_document(tmp_path / "honest.docx", tmp_path, 100 << 20)
    liar = _lie_about_size(honest.read_bytes(), "word/document.xml", 4096)
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeArchive) as e:
            read_bytes("liar.docx", liar)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20
    assert str(e.value) == ("liar.docx: [E012] word/document.xml declares 4096 bytes but inflates to more "
                            "(a zip bomb with a false size); not read")


def test_damaged_member_is_corrupt_not_a_crash(tmp_path):
    good = _docx_with_document(tmp_path / "good.docx", tmp_path, 1 << 20).read_bytes()
    # flip bytes in the middle of document.xml's compressed stream
    start = good.index(b"word/document.xml") + len("word/document.xml") + 40
    bad = good[:start] + bytes(b ^ 0xFF for b in good[start:start + 200]) + good[start + 200:]
    with pytest.raises(CorruptInput) as e:
        read_bytes("bad.docx", bad)
    assert "[E007]" in str(e.value)


def test_normal_docx_still_reads_under_a_tight_limit(tmp_path):
    path = tmp_path / "r.docx"
    d = docx.Document()
    d.add_paragraph("兰州新区经济合作局2020年度部门预算执行情况绩效自评报告")
    d.save(path)
    doc = read_file(path, path.stat().st_size)
    assert doc.text == "兰州新区经济合作局2020年度部门预算执行情况绩效自评报告"
