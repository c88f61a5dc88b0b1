"""Reading user files safely: regular files only, bounded size, UTF-8 with the byte offset of a bad byte.

Every input file a user names (scenario YAML, ``place.yaml``, ``population.csv``, the
GeoJSON layers, JSON manifests) goes through :func:`read_bytes` / :func:`read_text`, so a
FIFO, ``/dev/zero``, a directory or a 50 MB file is a one-line :class:`~twin.errors.TwinError`
in milliseconds with at most ``limit + 1`` bytes in memory, never a hang.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

from twin.errors import TwinError

__all__ = ["MiB", "PROTECTED_NAMES", "check_output_file", "decode_utf8", "read_bytes", "read_text", "write_text_atomic"]

MiB = 1 << 20


def _size(n: int) -> str:
    return f"{n / MiB:.1f} MB" if n >= MiB else f"{n / 1024:.0f} kB" if n >= 1024 else f"{n} bytes"


def read_bytes(path: str | os.PathLike[str], *, limit: int, what: str = "file",
               error: type[TwinError] = TwinError, field: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened non-blocking (a FIFO cannot hang the open), checked with ``fstat`` to
    be a regular file, and read up to ``limit + 1`` bytes, so memory is bounded whatever the
    file claims to be. Raises ``error`` (one line: file, what is wrong).
    """
    path = Path(path)
    kw: dict[str, Any] = {"file": path} if field is None else {"file": path, "field": field}
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"{what} not found", **kw) from None
    except IsADirectoryError:
        raise error(f"is a directory, not a {what}", **kw) from None
    except OSError as exc:
        raise error(f"{what} cannot be read ({exc.strerror or type(exc).__name__})", **kw) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise error(f"is a directory, not a {what}", **kw)
        if not stat.S_ISREG(st.st_mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
                    or stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
            raise error(f"is {kind}, not a regular {what}", **kw)
        if st.st_size > limit:
            raise error(f"{what} is too large ({_size(st.st_size)}; at most {_size(limit)})", **kw)
        os.set_blocking(fd, True)
        chunks, n = [], 0
        while n <= limit:
            chunk = os.read(fd, min(limit + 1 - n, MiB))
            if not chunk:
                break
            chunks.append(chunk)
            n += len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        if isinstance(exc, TwinError):
            raise
        if exc.errno == errno.EISDIR:
            raise error(f"is a directory, not a {what}", **kw) from None
        raise error(f"{what} cannot be read ({exc.strerror or type(exc).__name__})", **kw) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while we read it (or /proc-like files that report size 0)
        raise error(f"{what} is too large (more than {_size(limit)})", **kw)
    return data


def decode_utf8(data: bytes, *, path: str | os.PathLike[str], what: str = "file",
                error: type[TwinError] = TwinError, allow_nul: bool = False) -> str:
    """``data`` as UTF-8 text (a leading BOM dropped); a NUL or a bad byte names its offset and line."""
    if not allow_nul:
        nul = data.find(b"\0")
        if nul >= 0:
            raise error(f"holds a NUL byte at byte {nul}; a {what} is text", file=path,
                        line=data.count(b"\n", 0, nul) + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1]
        raise error(f"is not UTF-8 text (byte {exc.start} is 0x{bad.hex()})", file=path,
                    line=data.count(b"\n", 0, exc.start) + 1,
                    hint="save it as UTF-8 (e.g. in Excel: CSV UTF-8; iconv -f latin1 -t utf-8)") from None
    return text.removeprefix("\ufeff")


def read_text(path: str | os.PathLike[str], *, limit: int, what: str = "file",
              error: type[TwinError] = TwinError, allow_nul: bool = False) -> str:
    """:func:`read_bytes` then :func:`decode_utf8`."""
    return decode_utf8(read_bytes(path, limit=limit, what=what, error=error),
                       path=path, what=what, error=error, allow_nul=allow_nul)


#: Names a command may never overwrite unless asked to write exactly that output: results and inputs.
PROTECTED_NAMES = frozenset({
    "results.nc", "manifest.json", "indicators.csv", "decomposition.csv", "projection.nc", "projection.csv",
    "components.csv", "demand.csv", "trial.nc", "trial.csv", "estimates.csv", "stage1.csv", "report.html",
    "place.yaml", "grid.nc", "zones.geojson", "services.geojson", "population.csv",
})
_SPECIAL_ROOTS = ("/proc", "/sys", "/dev")


def _special(path: Path) -> bool:
    text = str(path)
    return any(text == r or text.startswith(r + "/") for r in _SPECIAL_ROOTS)


def check_output_file(path: str | os.PathLike[str], *, field: str, suffixes: tuple[str, ...] = (),
                      error: type[TwinError] | None = None, own: bool = False) -> Path:
    """Refuse an output file path before any work: missing or unwritable directory, ``/proc``-like
    places, a directory, a special file or symlink, or an existing input/result file
    (:data:`PROTECTED_NAMES`, or a suffix not in ``suffixes``; ``own``: the path is this command's own
    output, e.g. ``report.html``, and may be replaced). Returns the path."""
    from twin.errors import OutputError

    err = error or OutputError
    p = Path(path)
    kw: dict[str, Any] = {"field": field, "value": str(p)}
    if not str(p) or str(p).endswith(os.sep):
        raise err("is a directory, not a file name", **kw)
    real_parent = Path(os.path.realpath(p.parent if str(p.parent) else "."))
    if _special(real_parent) or _special(Path(os.path.abspath(p))):
        raise err("cannot write into a system directory (/proc, /sys, /dev)", **kw)
    if not real_parent.exists():
        raise err("directory does not exist", **kw, hint=f"create {p.parent} first")
    if not real_parent.is_dir():
        raise err("is inside something that is not a directory", **kw)
    if p.is_symlink():
        raise err("is a symbolic link; refusing to write through it", **kw)
    if p.exists():
        st = os.stat(p)
        if stat.S_ISDIR(st.st_mode):
            raise err("is a directory, not a file", **kw, hint="give a file name inside it")
        if not stat.S_ISREG(st.st_mode):
            raise err("is not a regular file (a FIFO or device)", **kw)
        if not own and (p.name in PROTECTED_NAMES) or (suffixes and p.suffix.lower() not in suffixes):
            raise err("refusing to overwrite an existing file that is not this command's output", **kw,
                      hint=f"choose a new file name{' ending ' + ' or '.join(suffixes) if suffixes else ''}")
    if not os.access(real_parent, os.W_OK):
        raise err("directory is not writable", **kw)
    return p


def write_text_atomic(path: str | os.PathLike[str], text: str, *, field: str) -> Path:
    """Write ``text`` to ``path`` through a new temporary file beside it (``O_EXCL``, never through a symlink),
    then rename it into place: a failure leaves the old file, or nothing."""
    from twin.errors import OutputError
    from twin.run.writer import atomic_write

    p = Path(path)
    try:
        atomic_write(p, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise OutputError(f"cannot write the file ({exc.strerror})", field=field, value=str(p)) from None
    return p
