"""Files converted by LibreOffice itself: .docx -> .pdf/.doc, .xlsx -> .xls/.ods/.pdf, the way an
office worker's "Save as" or "Export as PDF" makes them.

Stands for the outside world: imports nothing from extract/. LibreOffice takes seconds to start, so
`convert` hands it many files in ONE `soffice --headless --convert-to` call. The call runs in its own
process group with a private profile (LibreOffice refuses to start headless while another instance
holds the same profile) and is killed, with everything it started, on timeout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

# --convert-to value for each target: the extension picks LibreOffice's default export filter
# (MS Word 97 for doc, MS Excel 97 for xls, writer_pdf_Export / calc_pdf_Export for pdf).
TARGETS = {"pdf": "pdf", "doc": "doc", "xls": "xls", "ods": "ods", "xlsx": "xlsx", "docx": "docx", "odt": "odt"}


class OfficeError(RuntimeError):
    """soffice is missing, timed out, or left some files unconverted.

    `done` maps each input that was converted to its output; `missing` lists the inputs that were not.
    """

    def __init__(self, message: str, done: dict[Path, Path] | None = None, missing: list[Path] | None = None):
        super().__init__(message)
        self.done = done or {}
        self.missing = missing or []


def soffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files: list[Path], to: str, outdir: Path, timeout: float = 300) -> list[Path]:
    """Convert every file in one soffice call; the outputs, in the order of `files`.

    Each output is `outdir/<stem>.<to>`, so the stems must differ. Raises OfficeError when soffice is
    not installed, when the call times out, or when any output is missing (its `done` holds the
    outputs that were made, so a caller can go on with those).
    """
    files = [Path(f) for f in files]
    if to not in TARGETS:
        raise ValueError(f"unknown target {to!r}; one of {', '.join(TARGETS)}")
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise ValueError("two input files share a stem; their outputs would overwrite each other")
    if not files:
        return []
    exe = soffice()
    if exe is None:
        raise OfficeError("LibreOffice (soffice) is not on PATH: apt-get install libreoffice-writer "
                          "libreoffice-calc", missing=files)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    expected = [outdir / f"{f.stem}.{to}" for f in files]
    for path in expected:  # a stale output from an earlier run must not pass for this one's
        path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="officegen-") as tmp:
        profile = (Path(tmp) / "profile").as_uri()
        argv = [exe, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                "--convert-to", TARGETS[to], "--outdir", str(outdir.resolve()),
                *(str(f.resolve()) for f in files)]
        stdout, stderr, timed_out = _run(argv, timeout, Path(tmp))
    done = {f: out for f, out in zip(files, expected) if out.is_file() and out.stat().st_size > 0}
    missing = [f for f in files if f not in done]
    if timed_out:
        raise OfficeError(f"soffice did not finish within {timeout:g} s ({len(done)} of {len(files)} converted)",
                          done, missing)
    if missing:
        said = _first_line(stderr) or _first_line(stdout)
        raise OfficeError(f"soffice left {len(missing)} of {len(files)} files unconverted to .{to}"
                          f"{': ' + said if said else ''} (first: {missing[0].name})", done, missing)
    return expected


def _run(argv: list[str], timeout: float, cwd: Path) -> tuple[bytes, bytes, bool]:
    """(stdout, stderr, timed out): the command in its own process group, killed whole on timeout."""
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                cwd=cwd, start_new_session=True)
    except OSError as e:
        raise OfficeError(f"cannot run {argv[0]}: {e.strerror}") from None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        return stdout, stderr, False
    except subprocess.TimeoutExpired:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        stdout, stderr = proc.communicate()
        return stdout, stderr, True


def _first_line(output: bytes) -> str:
    for line in output.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()[:160]
    return ""
