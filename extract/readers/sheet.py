"""Placeholder while the sheet reader is written."""

from __future__ import annotations

from ..errors import UnsupportedFormat


def read(name: str, data: bytes, max_unpacked: int = 0):
    raise UnsupportedFormat("this format is not read yet", name)
