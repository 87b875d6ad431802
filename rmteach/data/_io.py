"""Files that never half-load and writes that never lose the old file.

* :func:`atomic_write_bytes` / :func:`atomic_write_text` write to a temporary file in
  the target's own folder and ``os.replace`` it over the target: a failure at any
  point (bad data, a full disk, Ctrl-C) leaves the old file exactly as it was.
* :func:`check_output_path` says *before* any work starts whether a path can be written.
* :func:`read_text_file` reads a UTF-8 file with a size guard; :func:`loads_line` parses
  one JSON line and turns every way it can fail (bad JSON, nesting too deep, a lone
  surrogate) into a ``ValueError`` that names the line and the field.

Every error is a ``ValueError`` with the path in its message.  A missing input file
raises :class:`MissingFileError`, which is both a ``ValueError`` and a
``FileNotFoundError``.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile

__all__ = ["MAX_FILE_BYTES", "MAX_LINE_CHARS", "MissingFileError", "atomic_write_bytes",
           "atomic_write_text", "check_input_file", "check_output_path", "check_text",
           "loads_line", "read_text_file"]

#: largest input file read whole (bigger files would need more than ~1 GB once parsed)
MAX_FILE_BYTES = 128 * 1024 * 1024
#: longest JSONL line accepted (a real preference example is a few KB)
MAX_LINE_CHARS = 8 * 1024 * 1024
#: longest file name (one path component) most file systems take, in bytes
MAX_NAME_BYTES = 255


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, words in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR,
                        "a character device"), (stat.S_ISBLK, "a block device"),
                        (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return words
    return "not a regular file"


def _special(text: str, name: str, verb: str):
    """``ValueError`` when ``text`` exists but is not a regular file (after symlinks)."""
    try:
        mode = os.stat(text).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return mode
    if stat.S_ISDIR(mode):
        raise ValueError(f"{name}: {text!r} is a directory; give a file"
                         f"{' name inside it' if verb == 'write' else ''}.")
    link = os.path.realpath(text)
    via = f" (a link to {link!r})" if os.path.islink(text) else ""
    raise ValueError(f"{name}: {text!r}{via} is {_kind(mode)}, not a regular file; rmteach "
                     f"{'reads' if verb == 'read' else 'writes'} only regular files"
                     f"{'' if verb == 'read' else ' (or new paths), so that nothing is replaced'}"
                     ".")


class MissingFileError(FileNotFoundError, ValueError):
    """An input file does not exist (a ``ValueError`` too, like every bad input)."""

    def __str__(self) -> str:
        return str(self.strerror)


def _as_path(path, name: str):
    if isinstance(path, (str, os.PathLike)) and not isinstance(path, bytes):
        text = os.fspath(path)
        if isinstance(text, str):
            if not text.strip():
                raise ValueError(f"{name} is an empty path; give a file name.")
            if "\x00" in text:
                raise ValueError(f"{name} {text!r} contains a NUL character.")
            return text
    raise ValueError(f"{name} must be a file path (a str or pathlib.Path); got "
                     f"{type(path).__name__}.")


def check_input_file(path, name: str = "path", *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The path as a str, once it is known to be an existing, readable, not too big file."""
    text = _as_path(path, name)
    if not os.path.exists(text):
        raise MissingFileError(2, f"{name}: no such file: {text!r}", text)
    _special(text, name, "read")          # a FIFO, a device, a socket: refused by type
    if not os.access(text, os.R_OK):
        raise ValueError(f"{name}: {text!r} cannot be read (permission denied).")
    size = os.path.getsize(text)
    if size > max_bytes:
        raise ValueError(f"{name}: {text!r} is {size / 2**20:.0f} MB; the limit is "
                         f"{max_bytes // 2**20} MB.")
    return text


def check_output_path(path, name: str = "path") -> str:
    """Check that ``path`` can be written without touching it; returns it as a str.  Call
    this before long work.

    The path must be new or a regular file: a symbolic link (``/dev/stdout`` is one, to
    ``/proc/self/fd/1``), a FIFO, a device such as ``/dev/null``, a socket or a directory
    is refused, so that nothing but a file is ever replaced.  Its folder must exist and be
    writable, and its name fit in 255 bytes."""
    text = _as_path(path, name)
    base = os.path.basename(text)
    size = len(base.encode("utf-8", "surrogateescape"))
    if size > MAX_NAME_BYTES:
        raise ValueError(f"{name}: the file name {base[:40]!r}... is {size} bytes long; file "
                         f"systems take at most {MAX_NAME_BYTES}.")
    if os.path.islink(text):
        try:
            target = os.readlink(text)
        except OSError:
            target = "?"
        raise ValueError(f"{name}: {text!r} is a symbolic link (to {target!r:.80}), not a "
                         "regular file; rmteach writes only regular files (or new paths), so "
                         "that nothing is replaced. Give the path of the file itself.")
    _special(text, name, "write")
    folder = os.path.dirname(os.path.abspath(text)) or "."
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise ValueError(f"{name}: cannot write {text!r}: the folder {folder!r} {what}; "
                         "create it first.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{name}: cannot write {text!r}: the folder {folder!r} is not "
                         "writable (permission denied).")
    if os.path.exists(text) and not os.access(text, os.W_OK):
        raise ValueError(f"{name}: cannot write {text!r}: the file is read-only.")
    return text


def atomic_write_bytes(path, data: bytes, name: str = "path") -> None:
    """Write ``data`` to ``path`` all at once: temporary file in the same folder, then rename.

    On any failure the temporary file is removed and an existing ``path`` is untouched;
    an ``OSError`` becomes a ``ValueError`` naming the path.
    """
    text = shown = check_output_path(path, name)
    folder = os.path.dirname(os.path.abspath(text))
    tmp = None
    try:
        # a short temporary name: a legal 255-byte target name still leaves room for it
        fd, tmp = tempfile.mkstemp(prefix=".~rmteach.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(text):
            try:
                os.chmod(tmp, os.stat(text).st_mode & 0o777)
            except OSError:
                pass
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, text)
        tmp = None
    except OSError as exc:
        raise ValueError(f"{name}: could not write {shown!r} ({exc.strerror or exc}); "
                         "nothing was changed.") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def check_text(value: str, where: str) -> None:
    """Raise ``ValueError`` if ``value`` holds a lone surrogate (it cannot be UTF-8 encoded)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{where} holds a lone surrogate {value[exc.start]!r} at character "
                         f"{exc.start}, which is not valid Unicode text (UTF-8 cannot encode "
                         "it).") from None


def atomic_write_text(path, text: str, name: str = "path") -> None:
    """:func:`atomic_write_bytes` of UTF-8 text; the text is encoded before any file is touched."""
    check_text(text, "the text to write")
    atomic_write_bytes(path, text.encode("utf-8"), name)


def read_text_file(path, name: str = "path") -> str:
    """A whole UTF-8 file as text (size-guarded); every failure is a ``ValueError``."""
    text_path = check_input_file(path, name)
    try:
        # non-blocking open + fstat: a FIFO swapped in after the check still cannot block
        fd = os.open(text_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise ValueError(f"{name}: {text_path!r} is not a regular file; rmteach reads "
                                 "only regular files.")
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"{name}: could not read {text_path!r} ({exc.strerror or exc}).") \
            from None
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{name}: {text_path!r} is over {MAX_FILE_BYTES // 2**20} MB.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"{text_path}, line {line}: not a UTF-8 text file (bad byte at "
                         f"offset {exc.start}); expected JSON Lines saved as UTF-8.") from None


def _strings(obj, path=""):
    """(field path, string) for every string inside a parsed JSON value, keys included."""
    stack = [(obj, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield (f"{where}.{k}" if where else k) + " (a key)", k
                stack.append((v, f"{where}.{k}" if where else k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                stack.append((v, f"{where}[{i}]"))


def loads_line(line: str, where: str):
    """Parse one JSON line; any failure is a ``ValueError`` starting with ``where``."""
    if len(line) > MAX_LINE_CHARS:
        raise ValueError(f"{where}: the line is {len(line):,} characters long; the limit is "
                         f"{MAX_LINE_CHARS:,}.")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}).") \
            from None
    except RecursionError:
        raise ValueError(f"{where}: the JSON is nested too deeply (brackets inside brackets "
                         "thousands of levels down); expected one flat object.") from None
    for field, value in _strings(obj):
        check_text(value, f"{where}: field {field!r}" if field else where)
    return obj
