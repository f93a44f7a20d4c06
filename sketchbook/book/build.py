"""The sketchbook as static pages: every sketch folder with its score, piano roll, audio and parameters."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sketchbook.book.gather import (
    AUDIO_TYPES,
    MAX_FILES,
    MIDI_SUFFIXES,
    PAGES,
    SCORE_SUFFIXES,
    SketchFolder,
    find_sketches,
)
from sketchbook.files import replacing
from sketchbook.music.errors import SketchbookError

SPLIT_AT = 24  # a book of more sketches gets a contents page and a page per sketch (see build_book)
BATCH = 16  # sketches engraved and written at a time in a large book


def build_book(root: Path, *, audio: bool = False, soundfont: Path | None = None, progress=None) -> Path:
    """Write root/index.html for every sketch under root; with audio, render missing audio (Ogg Opus) first.

    Up to SPLIT_AT sketches make one page. A larger book gets a contents page (every sketch with its motif,
    summaries and players) and a page per sketch in root/_pages/ with its scores and piano rolls, so the
    contents open at once however many sketches there are.
    """
    from sketchbook.book import page as book_html
    from sketchbook.book.pictures import Engravers

    root = Path(root)
    sketches = find_sketches(root)
    if audio:
        from sketchbook.audio import render_midi

        todo = [(s, v) for s in sketches for v in s.variations
                if v.first(MIDI_SUFFIXES) and not v.first(tuple(AUDIO_TYPES))]
        for _, v in progress(todo, "rendering audio") if progress else todo:
            midi = v.first(MIDI_SUFFIXES)
            try:
                v.files[".ogg"] = render_midi(midi, midi.with_suffix(".ogg"), soundfont=soundfont, force=False)
            except SketchbookError:  # this piece shows "no audio yet"; the book goes on
                continue
    # Ids seeded by position: unique on a page, and the same on every rebuild.
    numbers, written = {}, set()
    for sketch in sketches:
        for v in sketch.variations:
            if score := v.first(SCORE_SUFFIXES):
                numbers.setdefault(score, len(numbers) + 1)
    with Engravers() as engravers:
        if len(sketches) <= SPLIT_AT:
            engraved = engravers.engrave(list(numbers.items()), progress=progress)
            written.add(_write_page(root / "index.html", book_html.page(root, sketches, engraved=engraved)))
        else:  # a batch at a time, so memory holds one batch's scores however large the book
            anchors = [book_html.anchor(s, root) for s in sketches]
            batches = range(0, len(sketches), BATCH)
            for start in progress(batches, "engraving", len(batches)) if progress else batches:
                todo = []
                for sketch, anchor in zip(sketches[start:start + BATCH], anchors[start:start + BATCH]):
                    target, stamp = root / PAGES / f"{anchor}.html", _stamp(sketch)
                    if _page_stamp(target) == stamp:  # unchanged since its page was written: keep it
                        written.add(target)
                    else:
                        todo.append((sketch, target, stamp))
                # A page holds one sketch, so its scores' ids only need to differ from each other.
                scores = [(score, n) for s, _, _ in todo for n, score in enumerate(
                    (v.first(SCORE_SUFFIXES) for v in s.variations if v.first(SCORE_SUFFIXES)), 1)]
                engraved = engravers.engrave(scores)
                for sketch, target, stamp in todo:
                    html = book_html.sketch_page(root, sketch, target.stem, engraved, stamp=stamp)
                    written.add(_write_page(target, html))
            written.add(_write_page(root / "index.html", book_html.contents_page(root, sketches, anchors)))
    _remove_stale_pages(root, written)
    return root / "index.html"


STAMP = re.compile(rb'<meta name="sketchbook-stamp" content="([0-9a-f]{64})">')


def _stamp(sketch: SketchFolder) -> str:
    """What a sketch page was built from: this version, and each file's name, size and change time."""
    import hashlib

    from sketchbook import __version__

    digest = hashlib.sha256(f"{__version__}\n{sketch.folder.name}\n".encode())
    for name in sorted(p.name for p in sketch.folder.iterdir() if not p.name.startswith("."))[:MAX_FILES]:
        try:
            info = (sketch.folder / name).stat()
        except OSError:
            continue
        digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _page_stamp(page: Path) -> str | None:
    try:
        if page.is_symlink() or not page.is_file():
            return None
        with open(page, "rb") as handle:
            found = STAMP.search(handle.read(4096))
    except OSError:
        return None
    return found[1].decode() if found else None


BATCH = 16  # sketches engraved and written at a time in a large book


def _write_page(path: Path, html: str) -> Path:
    try:
        path.parent.mkdir(exist_ok=True)
    except OSError as exc:
        raise SketchbookError(f"cannot write {path}: {exc.strerror or exc}") from None
    with replacing(path, force=True, suffix=".part") as temp:
        temp.write_text(html, encoding="utf-8")
    return path


def _remove_stale_pages(root: Path, written: set[Path]) -> None:
    """Pages of sketches no longer in the book go (only our own .html files in _pages/)."""
    folder = root / PAGES
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in os.scandir(folder):
        path = Path(entry.path)
        if entry.is_file(follow_symlinks=False) and path.suffix == ".html" and path not in written:
            path.unlink(missing_ok=True)
