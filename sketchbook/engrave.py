"""A printable score: a MusicXML file engraved as PDF by whichever engraver is installed.

MuseScore (3 or 4) reads MusicXML directly; LilyPond goes through its musicxml2ly converter. Both run
as programs in a scratch folder beside the target, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sketchbook.files import replacing
from sketchbook.music.errors import SketchbookError

MUSESCORE = ("mscore4portable", "mscore4", "musescore4", "mscore3", "musescore3", "mscore", "musescore")
ENGRAVERS = ("musescore", "lilypond")
INSTALL_HINT = ("no engraver found to make a PDF; install MuseScore (apt-get install musescore3, or "
                "musescore.org) or LilyPond (apt-get install lilypond)")
TIMEOUT = 600


def find_engraver(choice: str | None = None) -> tuple[str, list[str]]:
    """The engraver to use (its name and programs): the one asked for, else MuseScore, else LilyPond."""
    if choice is not None and choice not in ENGRAVERS:
        raise SketchbookError(f"unknown engraver {choice!r}: choose {' or '.join(ENGRAVERS)}")
    if choice in (None, "musescore"):
        program = next((p for name in MUSESCORE if (p := shutil.which(name))), None)
        if program:
            return "musescore", [program]
        if choice == "musescore":
            raise SketchbookError("MuseScore is not installed; install it with: apt-get install musescore3 "
                                  "(or from musescore.org)")
    converter, lilypond = shutil.which("musicxml2ly"), shutil.which("lilypond")
    if converter and lilypond:
        return "lilypond", [converter, lilypond]
    if choice == "lilypond":
        raise SketchbookError("LilyPond is not installed; install it with: apt-get install lilypond")
    raise SketchbookError(INSTALL_HINT)


def engrave_pdf(score: Path, pdf: Path, *, engraver: str | None = None, force: bool = False) -> Path:
    """Engrave a MusicXML score as a PDF; without ``force`` an existing PDF is kept."""
    score, pdf = Path(score), Path(pdf)
    if not score.is_file():
        raise SketchbookError(f"{score}: no such MusicXML file")
    if not force and os.path.lexists(pdf):
        raise SketchbookError(f"{pdf} already exists (use --force to overwrite)")
    name, programs = find_engraver(engraver)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{pdf.stem}.", dir=pdf.parent)).resolve()
    except OSError as exc:
        raise SketchbookError(f"cannot write in {pdf.parent}: {exc.strerror or exc}") from None
    try:
        made = (_musescore if name == "musescore" else _lilypond)(programs, score.resolve(), scratch)
        if not made.is_file() or made.read_bytes()[:5] != b"%PDF-" or pages(made) < 1:
            shown_name = {"musescore": "MuseScore", "lilypond": "LilyPond"}[name]
            raise SketchbookError(f"{shown_name} could not engrave {score.name} (it wrote no PDF)")
        with replacing(pdf, force=force) as temp:  # refused if a PDF appeared while the engraver ran
            os.replace(made, temp)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return pdf


def pages(pdf: Path) -> int:
    """The number of pages in a PDF, counted from its page objects."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(pdf).read_bytes()))


def _run(command: list[str], cwd: Path, what: str) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise SketchbookError(f"{what} took longer than {TIMEOUT} seconds and was stopped") from None
    if done.returncode != 0:
        detail = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise SketchbookError(f"{what} failed: {detail[-1].strip() if detail else f'exit code {done.returncode}'}")


def _musescore(programs: list[str], score: Path, scratch: Path) -> Path:
    # MuseScore exits 0 even when it could not read the file; the PDF's presence is the real answer.
    out = scratch / "score.pdf"
    _run([programs[0], "-o", str(out), str(score)], scratch, "MuseScore")
    return out


def _lilypond(programs: list[str], score: Path, scratch: Path) -> Path:
    converter, lilypond = programs
    _run([converter, "--output", str(scratch / "score.ly"), str(score)], scratch, "musicxml2ly")
    _run([lilypond, "--pdf", "-o", str(scratch / "score"), str(scratch / "score.ly")], scratch, "LilyPond")
    return scratch / "score.pdf"
