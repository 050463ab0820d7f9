"""Coded errors: each says what went wrong and how to fix it (spaCy's errors.py style)."""

from __future__ import annotations


class ReportxError(Exception):
    """Base class; `code` is stable so scripts and tests can rely on it."""

    code = "E000"

    def __init__(self, message: str, path: str | None = None):
        self.path = path
        super().__init__(message)

    def __str__(self) -> str:  # one line, ready for stderr
        where = f"{self.path}: " if self.path else ""
        return f"{where}[{self.code}] {self.args[0]}"


class InputNotFound(ReportxError):
    code = "E001"


class EmptyInput(ReportxError):
    code = "E002"


class UndecodableInput(ReportxError):
    code = "E003"


class BinaryInput(ReportxError):
    code = "E004"


class InputTooLarge(ReportxError):
    code = "E005"


class UnsupportedFormat(ReportxError):
    code = "E006"


class PatternError(ReportxError):
    """A pattern file in patterns/ is malformed; the message names the file and rule."""

    code = "E010"


class CorruptInput(ReportxError):
    """A .docx/.pdf/.doc that its reader cannot parse: truncated, damaged, or not what its name says."""

    code = "E007"


class EncryptedInput(ReportxError):
    """A password-protected PDF or Word file; the text cannot be read without the password."""

    code = "E008"


class NeedsOCR(ReportxError):
    """A scan (PDF pages without a usable text layer, an image, an OFD of images) and no OCR to read it:
    the `reportx[ocr]` extra is not installed (or, for OFD, OCR of its images is not built)."""

    code = "E009"


class ConverterMissing(ReportxError):
    """A legacy .doc file and neither antiword nor LibreOffice (soffice) is on PATH."""

    code = "E011"


class UnsafeArchive(ReportxError):
    """A zip member outside the archive, too many members, or too much unpacked data."""

    code = "E012"


class InvalidText(ReportxError):
    """Text that is not Unicode a file can hold: a lone surrogate (\\ud800) from a bad decode."""

    code = "E014"


class UsageError(ReportxError):
    """An option value the library cannot use (an unknown --by key, a non-finite amount)."""

    code = "E013"


class DatabaseError(ReportxError):
    """A dataset file that is missing, foreign, newer than this reportx, or cannot be opened."""

    code = "E020"


class WriteFailed(ReportxError):
    """A report that could not be stored (recorded in `errors`; the batch goes on)."""

    code = "E021"


class NotARegularFile(ReportxError):
    """A path that is a FIFO, a device (/dev/zero), a socket or another non-regular file: never read,
    since reading it could block forever or never end."""

    code = "E015"


class FileTimeLimit(ReportxError):
    """A file whose extraction took longer than the per-file time limit (ingest --timeout): the parent
    stopped the worker that held it."""

    code = "E016"


class FileMemoryLimit(ReportxError):
    """A file whose extraction needed more memory than one worker may hold (ingest --worker-memory)."""

    code = "E018"


class Unreadable(ReportxError):
    """A file or folder this user may not read (permissions): an error row, never skipped in silence."""

    code = "E022"


class GoldError(ReportxError):
    """A .gold.json file that is not valid JSON or not one gold object."""

    code = "E017"
