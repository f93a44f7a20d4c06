"""File safety for every command: bounded reads, plain names, and the one way a file is written.

Every file we write goes through `replacing` or `write_all`: bytes land in an exclusive temporary file
beside the target (a random name made with O_EXCL, so a planted link is never followed), and only a
whole file is renamed into place. Without ``force`` an existing file is never replaced, and on any
failure, Ctrl-C and SIGTERM included (see limits.py), nothing half-written is left.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from sketchbook.music.errors import SketchbookError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def read_limited(path: Path, limit: int, kind: str) -> bytes:
    """A regular file's bytes, refusing anything over ``limit`` bytes (even if it grows while read)."""
    try:
        # O_NONBLOCK: opening a FIFO or device named like a motif must not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SketchbookError(f"{kind} file not found: {shown(path)}") from None
    except (OSError, ValueError) as error:
        raise SketchbookError(f"cannot read {kind} file {shown(path)}: {reason(error)}") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SketchbookError(f"{shown(path)} is not a regular file")
            size = os.fstat(handle.fileno()).st_size
            # Ask for the stated size first: read(limit + 1) would reserve the whole limit up front.
            chunks = [handle.read(min(size, limit) + 1)]
            total = len(chunks[0])
            while chunks[-1] and total <= limit:  # the file grew while we read it
                chunks.append(handle.read(min(1 << 20, limit + 1 - total)))
                total += len(chunks[-1])
            data = b"".join(chunks)
    except OSError as error:
        raise SketchbookError(f"cannot read {kind} file {shown(path)}: {reason(error)}") from None
    if not data:
        raise SketchbookError(f"{kind} file {shown(path)} is empty")
    if len(data) > limit:
        size = max(size, len(data))
        raise SketchbookError(f"{kind} file {shown(path)} is {size} bytes; {kind} files are limited to {limit} bytes")
    return data


def shown(path: Path | str) -> str:
    """A path as text for a one-line message: control characters are escaped, long paths shortened."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))
    return short(text, 200)


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reason(error: BaseException) -> str:
    """An OS error's own words ("Permission denied"), else the message on one line."""
    return getattr(error, "strerror", None) or short(" ".join(str(error).split()), 200) or type(error).__name__


def check_name(name: str) -> str:
    """A sketch name must be a plain folder name on every system: no paths, no dots at either end,
    no odd characters and no Windows device name such as CON or LPT1."""
    if not NAME_PATTERN.fullmatch(name) or name.endswith("."):
        raise SketchbookError(
            f"invalid sketch name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter"
            " or digit and not ending in '.' (choose one with --name)"
        )
    device = name.split(".")[0].upper()
    if device in ("CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$") or (
        len(device) == 4 and device[:3] in ("COM", "LPT") and device[3].isdigit()
    ):
        raise SketchbookError(
            f"invalid sketch name {name!r}: {device} is a reserved device name on Windows (choose another with --name)"
        )
    return name


def exclusive_temp(target: Path, suffix: str = ".part") -> Path:
    """A new empty file beside ``target`` with a random hidden name, created with O_EXCL (never a planted link)."""
    fd, name = tempfile.mkstemp(prefix=f".{Path(target).name}.", suffix=suffix, dir=Path(target).parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would make the finished file private
    finally:
        os.close(fd)
    return Path(name)


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return mask


def remove_quietly(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)


def refuse_existing(target: Path, force: bool) -> None:
    if not force and os.path.lexists(target):
        raise SketchbookError(f"{shown(target)} already exists (use --force to overwrite)")


@contextlib.contextmanager
def replacing(target: Path, *, force: bool, suffix: str | None = None) -> Iterator[Path]:
    """Yield an exclusive temporary file to fill; once the block ends it replaces ``target``.

    Without ``force`` an existing target is refused, before and after the block (a file may appear
    while a slow render runs). On any failure the temporary file goes and the target is untouched.
    """
    target = Path(target)
    refuse_existing(target, force)
    temp = None
    try:
        temp = exclusive_temp(target, target.suffix if suffix is None else suffix)
        yield temp
        refuse_existing(target, force)
        os.replace(temp, target)
    except OSError as exc:
        raise SketchbookError(f"cannot write {shown(target)}: {reason(exc)}") from None
    finally:
        remove_quietly(temp)


def write_all(payloads: Mapping[Path, bytes | Callable[[], bytes]], *, force: bool) -> list[Path]:
    """Write several files all or nothing: each to a temporary file first, then all renamed into place.

    A payload may be a function giving the bytes: the ready ones are staged first, then these, in order,
    so the files ready early are on disk while the last is still being made (elsewhere, say: aside.py).
    On any failure or interrupt, files that were there before are restored and no temporary file is
    left; folders this call created are removed again if still empty.
    """
    targets = list(payloads)
    for target in targets:
        refuse_existing(target, force)
    folders = sorted({t.parent for t in targets})
    missing = [p for folder in folders for p in (folder, *folder.parents) if not p.exists()]
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    placed: list[Path] = []
    current = targets[0] if targets else Path(".")
    try:
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        for target in sorted(targets, key=lambda t: callable(payloads[t])):  # stable: the order given
            current = target
            payload = payloads[target]
            temps[target] = _staged(target, payload() if callable(payload) else payload)
        for target in targets:
            current = target
            if os.path.lexists(target):
                refuse_existing(target, force)  # it appeared while we were writing
                backup = _spare_name(target, "old")
                try:
                    os.link(target, backup)  # the old file stays in place until os.replace swaps it
                except OSError:
                    shutil.copy2(target, backup)
                backups[target] = backup
            os.replace(temps[target], target)
            del temps[target]
            placed.append(target)
    except BaseException as exc:
        for target in reversed(placed):
            with contextlib.suppress(OSError):
                if target in backups:
                    os.replace(backups.pop(target), target)
                else:
                    os.unlink(target)
        remove_quietly(*temps.values(), *backups.values())
        for path in sorted(set(missing), key=lambda p: len(p.parts), reverse=True):  # innermost first
            with contextlib.suppress(OSError):
                path.rmdir()
        if isinstance(exc, OSError):
            raise SketchbookError(f"cannot write {shown(current)}: {reason(exc)}; nothing was changed") from None
        raise
    remove_quietly(*backups.values())
    return targets


def _spare_name(target: Path, ending: str) -> Path:
    # os.urandom is what secrets.token_hex reads, without importing secrets (hmac, hashlib) at start-up
    return target.with_name(f".{target.name}.{os.urandom(4).hex()}.{ending}")


def _staged(target: Path, data: bytes) -> Path:
    temp = _spare_name(target, "part")
    # O_EXCL never follows a planted symlink; mode 0o666 lets the umask decide, as for any new file.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)  # the rename must not be able to land before the bytes do
    except BaseException:
        os.close(fd)
        remove_quietly(temp)
        raise
    os.close(fd)
    return temp
