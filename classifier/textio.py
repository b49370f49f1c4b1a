"""Turning bytes from files, stdin or HTTP bodies into text, with clear errors."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import BinaryIO

from .errors import InvalidTextError, TextTooLongError

__all__ = ["allow_long_csv_fields", "decode_text", "read_bounded", "read_text_file",
           "unpaired_surrogate"]


def decode_text(data: bytes, *, source: str = "input") -> str:
    """Decode UTF-8 bytes (a leading byte-order mark is dropped).

    Raises
    ------
    InvalidTextError
        For binary data (NUL bytes) or bytes that are not UTF-8.
    """
    if b"\0" in data:
        raise InvalidTextError(f"{source} looks like a binary file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidTextError(
            f"{source} is not UTF-8 text (undecodable byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); convert it with e.g. `iconv -f latin1 -t utf-8`"
        ) from exc


def read_text_file(path: Path | str, *, max_chars: int | None = None) -> str:
    """Read and decode a text file. With ``max_chars``, a file far beyond it is refused
    before reading, and no more than 4 bytes a character (plus one) are ever read."""
    path = Path(path)
    with path.open("rb") as f:
        if max_chars is None:
            return decode_text(f.read(), source=str(path))
        # UTF-8 uses at most 4 bytes a character: a bigger file is surely too long.
        size = os.fstat(f.fileno()).st_size
        if size > 4 * max_chars:
            raise TextTooLongError(size, max_chars, unit="bytes")
        # Devices, pipes and /proc files report no size (/dev/zero never ends).
        return read_bounded(f, max_chars, source=str(path))


def read_bounded(stream: BinaryIO, max_chars: int, *, source: str = "input") -> str:
    """Read and decode ``stream``, reading at most one byte past 4 bytes a character.

    Raises
    ------
    TextTooLongError
        When the stream holds more than ``4 * max_chars`` bytes: the text is then surely
        longer than ``max_chars`` (checked before decoding, which the cut could break
        inside a character).
    InvalidTextError
        As :func:`decode_text`.
    """
    bound = 4 * max_chars
    data = stream.read(bound + 1)
    if len(data) > bound:
        raise TextTooLongError(bound, max_chars, unit="bytes", more_than=True)
    return decode_text(data, source=source)


def unpaired_surrogate(text: str) -> int | None:
    """Index of the first unpaired surrogate in ``text``, or None when there is none.

    UTF-8 cannot encode one, yet a ``str`` can hold it: an undecodable byte read with
    ``surrogateescape``, or a JSON ``"\\ud800"``.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def allow_long_csv_fields() -> None:
    """Let a long article in a CSV cell be read, and judged as one row, rather than stop
    the whole file: the csv module refuses fields over 131,072 characters by default. A
    process-wide setting, only ever raised."""
    if csv.field_size_limit() < 2**31 - 1:
        csv.field_size_limit(2**31 - 1)
