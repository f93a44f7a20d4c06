"""Output safety: sketch names cannot escape the output folder, and a sketch is written whole or not at all.

Failures are simulated midway (disk full, permission denied, read-only, interrupt, a rename that fails);
afterwards every file that was there before must be byte-for-byte the same, with no temporary left.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import mido
import pytest

from sketchbook.files import check_name
from sketchbook.load import load_motif
from sketchbook.music.errors import SketchbookError
from sketchbook.request import Request, develop_variation
from sketchbook.sketch_folder import sketch_files, write_sketch

LEVERS = Request(bars=4)
NAMES = sketch_files(["beach", "photograph"])


@pytest.fixture(scope="module")
def sketch():
    """A motif and both of its developed variations (kept short so the module stays fast)."""
    motif = load_motif("3/4 e'4 d'8 c' d'4 g2.")
    return motif, [develop_variation(motif, v, seed=3, request=LEVERS) for v in ("beach", "photograph")]


def write(folder: Path, sketch, *, force: bool = False) -> list[Path]:
    motif, results = sketch
    return write_sketch(folder, motif, results, seed=3, request=LEVERS, force=force)


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder`` (hidden ones too): file bytes, or what a symlink points at."""
    if not folder.exists():
        return {}
    entries: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        entries[key] = f"-> {os.readlink(path)}" if path.is_symlink() else (
            "<dir>" if path.is_dir() else path.read_bytes())
    return entries


def old_sketch(folder: Path, names=NAMES) -> dict[str, bytes | str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(f"old {name}".encode())
    return snapshot(folder)


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert message and "\n" not in message
    return message


# --- names ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["tide", "tide-s3", "my_song.v2", "A1", "x" * 64, "con-brio", "lpt"])
def test_plain_names_are_accepted(name):
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", ".", "..", "../x", "..\\x", "/etc", "a/b", "a\\b", "C:", "a:b", "a*b", "a?b", "a b", "ü", "x" * 65,
     ".hidden", "-x", "_x", "name.", "a..", "tide\n", "tide\r", "\x00", "CON", "con", "Con.txt", "nul", "AUX.mid",
     "PRN", "LPT1", "com9.musicxml", "CONIN$"],
    ids=repr,
)
def test_odd_names_are_refused(name):
    with pytest.raises(SketchbookError) as caught:
        check_name(name)
    assert "--name" in one_line(caught)


@pytest.mark.parametrize("name", ["../escape", "/tmp/absolute", "..", "sub/dir", "CON", "trailing."])
def test_cli_names_cannot_leave_the_output_folder(runner, tmp_path, name):
    from sketchbook.cli import app

    out = tmp_path / "out"
    result = runner.invoke(app, ["develop", "tide", "--out", str(out), "--name", name, "--bars", "4"])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "invalid sketch name" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_file_name_that_is_no_folder_name_asks_for_name(runner, tmp_path):
    from sketchbook.cli import app
    from tests.nasty import valid_midi

    path = tmp_path / "my tune.mid"
    path.write_bytes(valid_midi())
    out = tmp_path / "out"
    result = runner.invoke(app, ["develop", str(path), "--out", str(out), "--variation", "beach", "--bars", "4"])
    assert result.exit_code == 2 and "'my tune'" in result.stderr and "--name" in result.stderr
    assert not out.exists()
    result = runner.invoke(app, ["develop", str(path), "--out", str(out), "--variation", "beach", "--bars", "4",
                                 "--name", "my-tune"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (out / "my-tune").iterdir()) == ["beach.mid", "beach.musicxml", "sketch.json"]


# --- a normal write ---------------------------------------------------------------------------------

def test_every_file_lands_with_ordinary_permissions_and_no_spares(tmp_path, sketch):
    from sketchbook.formats.motif_files import read_musicxml_motif

    folder = tmp_path / "out" / "waltz"
    written = write(folder, sketch)
    assert [p.name for p in written] == NAMES
    assert sorted(os.listdir(folder)) == sorted(NAMES)  # no .part or .old files left
    mask = os.umask(0)
    os.umask(mask)
    assert {(folder / n).stat().st_mode & 0o777 for n in NAMES} == {0o666 & ~mask}
    _, results = sketch
    for r in results:
        midi = mido.MidiFile(folder / f"{r.name}.mid")
        attacks = [m for t in midi.tracks for m in t if m.type == "note_on" and m.velocity > 0]
        assert len(attacks) == len(r.performance.notes)
        assert read_musicxml_motif(folder / f"{r.name}.musicxml").meter == r.piece.meter
    record = json.loads((folder / "sketch.json").read_text())
    assert record["seed"] == 3 and set(record["variations"]) == {"beach", "photograph"}


def test_existing_files_are_kept_without_force(tmp_path, sketch):
    folder = tmp_path / "waltz"
    before = old_sketch(folder, ["photograph.mid"])
    with pytest.raises(SketchbookError, match=r"already exists .*--force") as caught:
        write(folder, sketch)
    one_line(caught)
    assert snapshot(folder) == before


def test_a_dangling_symlink_counts_as_existing(tmp_path, sketch):
    folder = tmp_path / "waltz"
    folder.mkdir()
    (folder / "sketch.json").symlink_to(tmp_path / "nowhere.json")
    before = snapshot(folder)
    with pytest.raises(SketchbookError, match="already exists"):
        write(folder, sketch)
    assert snapshot(folder) == before
    assert not (tmp_path / "nowhere.json").exists()


def test_force_replaces_every_file_and_leaves_no_spares(tmp_path, sketch):
    folder = tmp_path / "waltz"
    before = old_sketch(folder)
    write(folder, sketch, force=True)
    assert sorted(os.listdir(folder)) == sorted(NAMES)
    assert all((folder / n).read_bytes() != before[n] for n in NAMES)


def test_force_replaces_a_symlink_not_what_it_points_at(tmp_path, sketch):
    folder = tmp_path / "waltz"
    folder.mkdir()
    precious = tmp_path / "precious.mid"
    precious.write_bytes(b"my own work")
    (folder / "beach.mid").symlink_to(precious)
    write(folder, sketch, force=True)
    assert not (folder / "beach.mid").is_symlink()
    assert precious.read_bytes() == b"my own work"


# --- failures midway ---------------------------------------------------------------------------------

def failing_on_call(number: int, error: BaseException, real):
    """A stand-in for ``real`` that raises ``error`` on its ``number``-th call."""
    calls = {"count": 0}

    def stand_in(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == number:
            raise error
        return real(*args, **kwargs)

    return stand_in


def disk_full_after(writes: int):
    """os.write that writes half of what it is given (a short write), and on call ``writes`` + 1 fails."""
    real = os.write
    calls = {"count": 0}

    def write(fd, data):
        calls["count"] += 1
        if calls["count"] > writes:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, bytes(data[: max(1, len(data) // 2)]))

    return write


EXISTING = {"none": [], "some": ["beach.mid", "sketch.json"], "all": NAMES}


@pytest.mark.parametrize("existing", EXISTING, ids=str)
def test_disk_full_midway_changes_nothing(tmp_path, sketch, monkeypatch, existing):
    folder = tmp_path / "waltz"
    before = old_sketch(folder, EXISTING[existing])
    monkeypatch.setattr(os, "write", disk_full_after(7))
    with pytest.raises(SketchbookError) as caught:
        write(folder, sketch, force=True)
    assert "No space left on device" in one_line(caught) and "nothing was changed" in one_line(caught)
    assert snapshot(folder) == before


def test_failed_write_removes_the_folders_it_made(tmp_path, sketch, monkeypatch):
    monkeypatch.setattr(os, "write", disk_full_after(3))
    with pytest.raises(SketchbookError, match="No space left"):
        write(tmp_path / "out" / "deeper" / "waltz", sketch)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("existing", EXISTING, ids=str)
def test_a_rename_failing_midway_restores_the_old_files(tmp_path, sketch, monkeypatch, existing):
    folder = tmp_path / "waltz"
    before = old_sketch(folder, EXISTING[existing])
    monkeypatch.setattr(os, "replace", failing_on_call(4, OSError(errno.EIO, os.strerror(errno.EIO)), os.replace))
    with pytest.raises(SketchbookError, match="Input/output error"):
        write(folder, sketch, force=True)
    assert snapshot(folder) == before


@pytest.mark.parametrize("stage", ["write", "replace"])
def test_an_interrupt_midway_changes_nothing(tmp_path, sketch, monkeypatch, stage):
    folder = tmp_path / "waltz"
    before = old_sketch(folder, EXISTING["some"])
    monkeypatch.setattr(os, stage, failing_on_call(3, KeyboardInterrupt(), getattr(os, stage)))
    with pytest.raises(KeyboardInterrupt):
        write(folder, sketch, force=True)
    assert snapshot(folder) == before


def test_scores_made_while_writing_land_after_the_ready_files_and_a_failing_one_changes_nothing(tmp_path):
    from sketchbook.files import write_all

    folder = tmp_path / "waltz"
    seen: list[list[str]] = []

    def score() -> bytes:
        seen.append(sorted(p.name for p in folder.iterdir()))  # what is staged by the time it is asked
        return b"<score/>"

    written = write_all({folder / "a.musicxml": score, folder / "a.mid": b"MThd", folder / "s.json": b"{}"},
                        force=False)
    assert [p.name for p in written] == ["a.musicxml", "a.mid", "s.json"]  # the order given
    assert len(seen[0]) == 2 and all(name.endswith(".part") for name in seen[0])  # the ready two, staged
    assert (folder / "a.musicxml").read_bytes() == b"<score/>"

    before = snapshot(folder)

    def failing() -> bytes:
        raise SketchbookError("the score could not be made")

    with pytest.raises(SketchbookError, match="could not be made"):
        write_all({folder / "a.mid": b"new", folder / "a.musicxml": failing}, force=True)
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "code, words",
    [(errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system"), (errno.EDQUOT, "quota")],
)
def test_refused_temporary_files_change_nothing(tmp_path, sketch, monkeypatch, code, words):
    """Simulated with a patched os.open, so that it also holds when the tests run as root."""
    folder = tmp_path / "waltz"
    before = old_sketch(folder, EXISTING["some"])
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if str(path).endswith(".part") and "photograph" in str(path):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(SketchbookError, match=words) as caught:
        write(folder, sketch, force=True)
    one_line(caught)
    assert snapshot(folder) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into read-only folders anyway; the simulated variant above covers it")
def test_a_real_read_only_folder_changes_nothing(tmp_path, sketch):
    folder = tmp_path / "waltz"
    before = old_sketch(folder, EXISTING["some"])
    folder.chmod(0o555)
    try:
        with pytest.raises(SketchbookError, match="Permission denied"):
            write(folder, sketch, force=True)
        assert snapshot(folder) == before
    finally:
        folder.chmod(0o755)


def test_a_folder_in_the_way_of_a_file(tmp_path, sketch):
    folder = tmp_path / "waltz"
    before = old_sketch(folder, ["beach.mid"])
    (folder / "photograph.mid").mkdir()
    before = snapshot(folder)
    with pytest.raises(SketchbookError, match=r"photograph\.mid") as caught:
        write(folder, sketch, force=True)
    one_line(caught)
    assert snapshot(folder) == before


def test_output_folder_under_a_file(tmp_path, sketch):
    (tmp_path / "out").write_text("a file, not a folder")
    with pytest.raises(SketchbookError, match="cannot write") as caught:
        write(tmp_path / "out" / "waltz", sketch)
    one_line(caught)
    assert (tmp_path / "out").read_text() == "a file, not a folder"


# --- through the CLI ------------------------------------------------------------------------------

CLI = ["develop", "tide", "--name", "x", "--bars", "4", "--force"]


def test_cli_disk_full_is_one_line_and_changes_nothing(runner, tmp_path, monkeypatch):
    from sketchbook.cli import app

    before = old_sketch(tmp_path / "out" / "x", EXISTING["some"])
    monkeypatch.setattr(os, "write", disk_full_after(5))
    result = runner.invoke(app, [*CLI, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "No space left on device" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert snapshot(tmp_path / "out" / "x") == before


def test_cli_interrupt_is_one_line_and_changes_nothing(runner, tmp_path, monkeypatch):
    from sketchbook.cli import app

    before = old_sketch(tmp_path / "out" / "x", EXISTING["some"])
    monkeypatch.setattr(os, "replace", failing_on_call(3, KeyboardInterrupt(), os.replace))
    result = runner.invoke(app, [*CLI, "--out", str(tmp_path / "out")])
    assert result.exit_code == 130  # as shells expect after Ctrl-C (SIGINT)
    assert result.stderr.startswith("error: interrupted") and len(result.stderr.splitlines()) == 1
    assert snapshot(tmp_path / "out" / "x") == before


def test_variation_names_cannot_leave_the_folder(tmp_path, sketch):
    """Variation names become file names and can come from a hand-edited sketch.json."""
    from dataclasses import replace

    motif, results = sketch
    for name in ("../escaped", "/tmp/absolute", "sub/dir"):
        with pytest.raises(SketchbookError, match="invalid variation name"):
            write_sketch(tmp_path / "waltz", motif, [replace(results[0], name=name)], seed=3, request=LEVERS,
                         force=True)
    assert list(tmp_path.iterdir()) == []
