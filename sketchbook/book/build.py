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
PAGE_FORMAT = "2"  # part of every page's stamp: pages written by an older layout are written again


def build_book(root: Path, *, audio: bool = False, soundfont: Path | None = None, progress=None) -> Path:
    """Write root/index.html for every sketch under root; with audio, render missing audio (Ogg Opus) first.

    Up to SPLIT_AT sketches make one page, its scores engraved here (in child processes), so it opens
    complete and reads without scripts. A larger book gets a contents page (every sketch with its motif,
    summaries and players) and a page per sketch in root/_pages/ with its piano rolls and its scores, which
    verovio's toolkit engraves in the browser when the page opens (lazy.py): engraving 2,000 scores here
    would take minutes, and a reader opens a few pages at a time.
    """
    from sketchbook.book import page as book_html
    from sketchbook.book.pictures import Engravers

    root = Path(root)
    sketches = find_sketches(root)
    if audio:
        from sketchbook.audio import render_midi

        todo = [(v, midi) for s in sketches for v in s.variations
                if (midi := v.first(MIDI_SUFFIXES)) and not v.first(tuple(AUDIO_TYPES))]
        for v, midi in progress(todo, "rendering audio") if progress else todo:
            try:
                v.files[".ogg"] = render_midi(midi, midi.with_suffix(".ogg"), soundfont=soundfont, force=False)
            except SketchbookError:  # this piece shows "no audio yet"; the book goes on
                continue
    written = set()
    if len(sketches) <= SPLIT_AT:
        # Ids seeded by position: unique on the page, and the same on every rebuild.
        numbers: dict[Path, int] = {}
        for sketch in sketches:
            for v in sketch.variations:
                if score := v.first(SCORE_SUFFIXES):
                    numbers.setdefault(score, len(numbers) + 1)
        with Engravers() as engravers:
            engraved = engravers.engrave(list(numbers.items()), progress=progress)
        written.add(_write_page(root / "index.html", book_html.page(root, sketches, engraved=engraved)))
    else:
        written.update(_write_split(root, sketches, progress))
    _remove_stale_pages(root, written)
    return root / "index.html"


STAMP = re.compile(rb'<meta name="sketchbook-stamp" content="([0-9a-f]{64})">')


def _stamp(sketch: SketchFolder) -> str:
    """What a sketch page was built from: this version, and each file's name, size and change time."""
    import hashlib

    from sketchbook import __version__

    digest = hashlib.sha256(f"{__version__}\n{PAGE_FORMAT}\n{sketch.folder.name}\n".encode())
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


def _write_split(root: Path, sketches: list[SketchFolder], progress=None) -> set[Path]:
    """The contents page and a page per sketch (kept when its stamp says nothing changed), and the toolkit."""
    from sketchbook.book import page as book_html
    from sketchbook.book.lazy import install_toolkit, pack_score

    if (root / PAGES).is_symlink():  # planted in a shared folder, it would carry the pages off elsewhere
        raise SketchbookError(f"{root / PAGES} is a link; a large book's pages go only into a real folder there")
    written = set()
    anchors = [book_html.anchor(s, root) for s in sketches]
    pairs = list(zip(sketches, anchors))
    for sketch, anchor in progress(pairs, "writing pages") if progress else pairs:
        target, stamp = root / PAGES / f"{anchor}.html", _stamp(sketch)
        if _page_stamp(target) != stamp:
            # A page holds one sketch, so its scores' ids only need to differ from each other.
            scores = [v.first(SCORE_SUFFIXES) for v in sketch.variations if v.first(SCORE_SUFFIXES)]
            packed = {score: pack_score(score, n) for n, score in enumerate(scores, 1) if score}
            _write_page(target, book_html.sketch_page(root, sketch, target.stem, packed, stamp=stamp))
        written.add(target)
    written.update(install_toolkit(root / PAGES))
    written.add(_write_page(root / "index.html", book_html.contents_page(root, sketches, anchors)))
    return written


def _write_page(path: Path, html: str) -> Path:
    try:
        path.parent.mkdir(exist_ok=True)
    except OSError as exc:
        raise SketchbookError(f"cannot write {path}: {exc.strerror or exc}") from None
    with replacing(path, force=True, suffix=".part") as temp:
        temp.write_text(html, encoding="utf-8")
    return path


def _remove_stale_pages(root: Path, written: set[Path]) -> None:
    """Pages of sketches no longer in the book go, and the toolkit when no page needs it (only our own files)."""
    from sketchbook.book.lazy import SHIPPED

    folder = root / PAGES
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in os.scandir(folder):
        path = Path(entry.path)
        ours = path.suffix == ".html" or path.name in SHIPPED
        if entry.is_file(follow_symlinks=False) and ours and path not in written:
            path.unlink(missing_ok=True)
