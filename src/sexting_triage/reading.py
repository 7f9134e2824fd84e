"""Reading the text files the tool is given: one home for the checks every reader makes.

- `file_kind(mode)`: what a path that is not a regular file is, in words (a folder, a named
  pipe, a device...), for refusing inputs and outputs that would hang or go astray.
- `read_file(path, kind)`: a small UTF-8 file read with O_NONBLOCK, checked with fstat before
  a byte is read, bounded at MAX_BYTES, decoded (a byte-order mark dropped), never empty;
  every refusal an InputError naming the file and, where it can, the line and column.
- `whole_text(s)`, `surrogate_at(text)`, `LONE_SURROGATE`: text holding half a character (a
  lone surrogate escape), found and located.

YAML parsing (`yamlio`) and the tool's JSON files (`files.load_json`) both read through here;
this module imports nothing of ours but `errors`.
"""

from __future__ import annotations

import errno
import os
import re
import stat

from sexting_triage.errors import InputError, Problem

# A rule set is about 25 kB; a megabyte leaves ample room for every file the tool reads.
MAX_BYTES = 1024 * 1024


def file_kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file): for
    refusing inputs and outputs that would hang, loop or write somewhere unexpected."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def a_kind(kind: str) -> str:
    """The kind of file with its article, for messages: 'an answers file', 'a rule set'."""
    return ("an " if kind[:1].lower() in "aeiou" else "a ") + kind


def read_file(path: str | os.PathLike[str], kind: str = "file") -> tuple[bytes, str]:
    """Read a small UTF-8 text file (bytes and text), refusing oversized, empty or
    undecodable input before parsing anything.

    The file is opened with O_NONBLOCK and checked with fstat before a byte is read: a
    folder, a named pipe (FIFO), a device or a socket is refused at once, so nothing is
    ever read forever."""
    p = str(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError([Problem(p, None, None, "", f"no such {kind}")]) from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise InputError([Problem(_short(p), None, None, "", f"cannot read this {kind}: "
                                      "the file name is longer than the file system "
                                      "allows")]) from None
        raise InputError([Problem(p, None, None, "",
                                  f"cannot read: {exc.strerror or exc}")]) from None
    try:
        st = os.fstat(fd)
        what = file_kind(st.st_mode)
        if what is not None:
            raise InputError([Problem(p, None, None, "", f"is {what}, not {a_kind(kind)}")])
        if st.st_size > MAX_BYTES:
            raise InputError([Problem(p, None, None, "",
                                      f"the file is {st.st_size:,} bytes: too large for "
                                      f"this {kind} (the limit is {MAX_BYTES:,} bytes)")])
        chunks: list[bytes] = []
        got = 0
        while got <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        raw = b"".join(chunks)
    except OSError as exc:
        raise InputError([Problem(p, None, None, "",
                                  f"cannot read: {exc.strerror or exc}")]) from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(p, None, None, "", f"the file is over {MAX_BYTES:,} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError([Problem(p, line, col, "",
                                  f"byte 0x{raw[exc.start]:02x} is not valid UTF-8: "
                                  "save the file as UTF-8")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError([Problem(p, None, None, "", f"the {kind} is empty")])
    return raw, text


def _short(p: str) -> str:
    """A path too long for the file system, shortened for a message (start and end kept)."""
    return p if len(p) <= 120 else f"{p[:60]}...{p[-40:]}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def surrogate_at(text: str) -> tuple[int, int]:
    """Line and column (1-based) of the first JSON escape in `text` that decodes to a lone
    surrogate (`\ud800` with no partner); (1, 1) if none is found."""
    for m in _ESCAPED_SURROGATE.finditer(text):
        unit = int(m.group(1), 16)
        if unit < 0xDC00 and _LOW.match(text, m.end()):
            continue  # a high half followed by its low half: one character
        if unit >= 0xDC00 and _HIGH_BEFORE.search(text[max(0, m.start() - 6):m.start()]):
            continue
        return line_col(text, m.start())
    return 1, 1


_ESCAPED_SURROGATE = re.compile(r"\\u([dD][89a-fA-F][0-9a-fA-F]{2})")
_LOW = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_HIGH_BEFORE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}$")


def whole_text(s: str) -> str | None:
    """`s` with escaped surrogate pairs joined into their characters, or None if it holds a
    lone surrogate (half a character: it can be neither printed nor saved as UTF-8)."""
    if not _SURROGATE.search(s):
        return s
    try:
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return None


LONE_SURROGATE = ("a \\u escape here is half of a character (a lone surrogate): "
                  "write the character itself")


def read_text(path: str | os.PathLike[str], kind: str = "file") -> str:
    """The text of a small UTF-8 file (see read_file)."""
    return read_file(path, kind)[1]


def line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset in text."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1
