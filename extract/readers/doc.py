"""Legacy Word .doc (Word 97–2003) and WPS Writer .wps: converted by LibreOffice, else antiword.

No Python library reads .doc reliably, so an external converter on PATH does it. LibreOffice first:
`soffice --headless --convert-to docx` keeps the tables, and the .docx reader then reads them as
rows of cells like any .docx (slow to start, hence the timeout). `antiword` (small, fast, prose
only, no .wps) is the fallback. A .wps of WPS Writer is the Word 97 binary under another name, so
it is handed to the converters as a .doc. Both need a file, so the bytes are written to a private
temporary folder that is removed afterwards. Without a converter the error says how to get one or
to save the report as .docx.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..decode import decode
from ..errors import ConverterMissing, CorruptInput, EmptyInput, ReportxError
from . import MAX_UNPACKED_BYTES, docx

ANTIWORD_TIMEOUT_S = 60
SOFFICE_TIMEOUT_S = 180   # a cold LibreOffice start alone can take tens of seconds


def read(name: str, data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES, fmt: str = "doc") -> tuple[str, None]:
    """(text, None) from the first converter that succeeds; ConverterMissing when there is none."""
    kind = ".wps" if fmt == "wps" else ".doc"
    antiword = shutil.which("antiword") if fmt == "doc" else None
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not antiword and not soffice:
        needs = "LibreOffice (`soffice`)" if fmt == "wps" else "LibreOffice (`soffice`) or `antiword`"
        raise ConverterMissing(f"{kind} files need {needs} on PATH (e.g. apt install libreoffice-writer-nogui); or "
                               "open the file in Word/WPS and save it as .docx", name)
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="reportx-doc-") as tmp:
        source = Path(tmp) / "report.doc"
        source.write_bytes(data)
        for tool, convert in ((soffice, _soffice), (antiword, _antiword)):
            if not tool:
                continue
            try:
                output = convert(tool, source, Path(tmp))
            except _Failed as e:
                failures.append(f"{Path(tool).name}: {e}")
                continue
            try:
                if tool is soffice:
                    text = docx.read(name, output, max_unpacked)[0]
                else:
                    text = decode(output, name)[0]
            except EmptyInput:
                failures.append(f"{Path(tool).name}: produced no readable text")
                continue
            except ReportxError as e:
                failures.append(f"{Path(tool).name}: {e.args[0]}")
                continue
            return text, None
    if all("no readable text" in f for f in failures):
        raise EmptyInput(f"the {kind} file has no text", name)
    raise CorruptInput(f"could not convert the {kind} file ({'; '.join(failures)}); open it in Word/WPS and save "
                       "it as .docx", name)


class _Failed(Exception):
    """A converter ran but gave no text; the message is its one-line reason."""


def _antiword(exe: str, source: Path, tmp: Path) -> bytes:
    # -m UTF-8.txt: UTF-8 output (Chinese); -w 0: one paragraph per line, no wrapping at 76 columns.
    result = _run([exe, "-m", "UTF-8.txt", "-w", "0", str(source)], ANTIWORD_TIMEOUT_S, tmp)
    if result.returncode != 0:
        raise _Failed(_first_line(result.stderr) or f"exit status {result.returncode}")
    return result.stdout


def _soffice(exe: str, source: Path, tmp: Path) -> bytes:
    """The document saved as .docx by LibreOffice (tables kept as tables)."""
    # A private profile: LibreOffice refuses to start headless while the user's own instance holds theirs.
    profile = (tmp / "profile").as_uri()
    out_dir = tmp / "out"
    result = _run([exe, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(source)],
                  SOFFICE_TIMEOUT_S, tmp)
    converted = out_dir / (source.stem + ".docx")
    if not converted.exists():
        raise _Failed(_first_line(result.stderr) or _first_line(result.stdout) or f"exit status {result.returncode}")
    return converted.read_bytes()


def _run(argv: list[str], timeout: float, cwd: Path) -> subprocess.CompletedProcess:
    """Run a converter in its own process group, so a timeout kills it and everything it started."""
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                cwd=cwd, start_new_session=True)
    except OSError as e:
        raise _Failed(f"cannot run: {e.strerror}") from None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        raise _Failed(f"did not finish within {timeout:g} s") from None
    return subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)


def _first_line(output: bytes) -> str:
    for line in output.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()[:160]
    return ""
