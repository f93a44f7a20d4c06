"""The book's pictures: scores engraved by verovio, and the motif's little piano roll.

Scores are engraved in child processes, so a crashing engraver loses one score, not the page.

verovio aborts the whole process on some junk files (SIGABRT on a broken .mxl, SIGFPE on a 0/0 time
signature). Each child runs under memory and CPU limits, reads its score through the bounded readers,
and answers one JSON line per score; a child that dies or stalls is replaced and only that score is lost.
Two children (or one per core, if fewer) engrave side by side.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from html import escape
from pathlib import Path
from typing import Self

from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key
from sketchbook.music.theory import LETTERS, spell

CHILD_MEMORY = 2 * 2**30
CHILD_CPU_SECONDS = 600  # over the whole child's life, a backstop behind the per-score timeout
SCORE_SECONDS = 60
MAX_MOTIF_BAR_LINES = 64
MAX_SCORE_BYTES = 16 * 2**20  # as the motif reader's MusicXML limit (formats/safe_xml.py)


class Engravers:
    """A few engraver children kept for a whole book, used a batch of scores at a time."""

    def __init__(self, workers: int | None = None) -> None:
        self.count = max(1, workers or min(2, os.cpu_count() or 1))
        self.idle: list[_Child] = []
        self.lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:  # errors, Ctrl-C and SIGTERM alike: no engraver outlives the book
        for child in self.idle:
            child.close()

    def engrave(self, scores: list[tuple[Path, int]], *, progress=None) -> dict:
        if not scores:
            return {}

        def one(item):
            with self.lock:
                child = self.idle.pop() if self.idle else _Child()
            try:
                return item[0], child.engrave(*item)
            finally:
                with self.lock:
                    self.idle.append(child)

        results = {}
        with ThreadPoolExecutor(max_workers=min(self.count, len(scores))) as pool:
            done = pool.map(one, scores)
            for path, answer in progress(done, "engraving", len(scores)) if progress else done:
                results[path] = answer
        return results


class _Child:
    """One engraver process, restarted after a crash."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        from sketchbook.limits import limited_child

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        # preexec_fn runs between fork and exec only; no lock is taken there, so the threads here are safe.
        limits = limited_child(memory=CHILD_MEMORY, cpu_seconds=CHILD_CPU_SECONDS)
        return subprocess.Popen([sys.executable, "-m", "sketchbook.book.pictures"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                                preexec_fn=limits)

    def engrave(self, path: Path, id_seed: int):
        if self.process is not None and self.process.poll() is not None:
            self.close()  # it died between scores (its CPU limit, say): its pipes go with it
        if self.process is None:
            self.process = self._start()
        process = self.process
        timer = threading.Timer(SCORE_SECONDS, process.kill)
        timer.start()
        assert process.stdin is not None and process.stdout is not None  # both are pipes (see _start)
        try:
            process.stdin.write((json.dumps({"path": str(path), "seed": id_seed}) + "\n").encode())
            process.stdin.flush()
            line = process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = b""
        finally:
            timer.cancel()
        if not line:
            self.close()
            return f"the engraver (verovio) {_how_it_died(process.returncode)} on this score"
        try:
            answer = json.loads(line)
        except ValueError:
            return "the engraver (verovio) gave an unreadable answer"
        return answer["error"] if "error" in answer else (answer["svg"], answer["timemap"])

    def close(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:  # a broken pipe to a dead child has nothing left to flush
                pass


def _how_it_died(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return "took too long and was stopped" if name == "SIGKILL" else f"crashed ({name})"
    return f"stopped (exit code {code})"


def _serve() -> None:
    """The child: one JSON request a line in, one JSON answer a line out."""
    for line in sys.stdin:
        request = json.loads(line)
        try:
            svg, timemap = engrave_text(score_text(Path(request["path"])), Path(request["path"]).name,
                                        id_seed=int(request["seed"]))
            answer = {"svg": svg, "timemap": timemap}
        except SketchbookError as exc:
            answer = {"error": str(exc)}
        except Exception as exc:
            answer = {"error": f"{Path(request['path']).name}: verovio could not read this score "
                               f"({' '.join(str(exc).split())[:120] or type(exc).__name__})"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def score_text(path: Path) -> str:
    """The score's XML through the bounded readers (an .mxl is unpacked with zip-bomb checks first)."""
    from sketchbook.files import read_limited
    from sketchbook.formats.safe_xml import read_mxl

    data = read_mxl(path) if path.suffix.lower() == ".mxl" else read_limited(path, MAX_SCORE_BYTES, "MusicXML")
    if b"<!ENTITY" in data:
        raise SketchbookError(f"{path.name}: it declares XML entities, which sketchbook refuses")
    return data.decode("utf-8", "replace")


def score_svg(musicxml: Path, *, id_seed: int = 1) -> str:
    """The whole score engraved by verovio as one scalable SVG (ids seeded so scores never clash)."""
    return engrave(musicxml, id_seed=id_seed)[0]


def engrave(musicxml: Path, *, id_seed: int = 1) -> tuple[str, list]:
    """The score's SVG and timemap, engraved in this process (the book uses book_engrave's children)."""
    return engrave_text(score_text(Path(musicxml)), Path(musicxml).name, id_seed=id_seed)


def engrave_text(xml: str, name: str, *, id_seed: int = 1) -> tuple[str, list]:
    """The score's SVG and its timemap: [milliseconds, note ids that start, note ids that stop] in time order."""
    import verovio

    toolkit = verovio.toolkit()
    # One tall page holds the whole score; svgHtml5 plus a per-score seed keeps glyph ids unique on the page.
    toolkit.setOptions({"pageWidth": 2100, "pageHeight": 60000, "scale": 40, "adjustPageHeight": True,
                        "adjustPageWidth": True, "header": "none", "footer": "none", "svgViewBox": True,
                        "svgHtml5": True, "svgRemoveXlink": True, "svgFormatRaw": True, "xmlIdSeed": id_seed})
    if not toolkit.loadData(xml) or toolkit.getPageCount() < 1:
        raise SketchbookError(f"{name}: verovio could not read this score")
    svg = toolkit.renderToSVG(1)
    if 'class="measure' not in svg:  # verovio engraves a broken file as an empty page
        raise SketchbookError(f"{name}: verovio found no measures in this score")
    # Notes keep their ids, for the timemap to light them as the audio plays; the other copies of id and
    # class go (a quarter of the bytes).
    svg = re.sub(r' data-id="([^"]*)" data-class="note"', r' id="\1"', svg)
    svg = re.sub(r' data-(?:id|class)="[^"]*"', "", svg)
    # A short score keeps its engraved size instead of being stretched to the page's width.
    if match := re.search(r'viewBox="0 0 ([\d.]+) ', svg):
        svg = svg.replace("<svg ", f'<svg style="max-width: {float(match[1]) * 1.25:.0f}px" ', 1)
    timemap = toolkit.renderToTimemap({"includeMeasures": False, "includeRests": False})
    if isinstance(timemap, str):  # older verovio bindings give JSON text
        timemap = json.loads(timemap)
    events = [[round(e.get("tstamp", 0)), e.get("on", []), e.get("off", [])] for e in timemap]
    return svg, events


def parse_key(text: str) -> Key:
    """'D major', 'F# minor' or 'Bb' as a Key; C major when unreadable."""
    parts = str(text).split()
    if not parts or parts[0][0].upper() not in LETTERS:
        return Key(0)
    tonic = parts[0]
    pc = (0, 2, 4, 5, 7, 9, 11)[LETTERS.index(tonic[0].upper())] + tonic.count("#") - tonic.count("b")
    return Key(pc % 12, "minor" if len(parts) > 1 and parts[1].lower() == "minor" else "major")


def motif_notes(motif: dict) -> list[tuple[int, Fraction, Fraction]]:
    notes = []
    for n in motif.get("notes") or []:
        try:
            notes.append((int(n["pitch"]), Fraction(str(n["start"])), Fraction(str(n["duration"]))))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            continue
    return notes


def motif_svg(motif: dict) -> str:
    """A tiny piano roll of the motif, with its bar lines."""
    notes = motif_notes(motif)
    if not notes:
        return ""
    length = max(s + d for _, s, d in notes)
    try:
        num, den = (int(x) for x in str(motif.get("meter", "4/4")).split("/"))
        bar, pickup = Fraction(4 * num, den), Fraction(str(motif.get("pickup") or "0"))
    except (ValueError, ZeroDivisionError):
        bar, pickup = Fraction(4), Fraction(0)
    bar = bar if bar > 0 else Fraction(4)
    low, high = min(p for p, _, _ in notes) - 1, max(p for p, _, _ in notes) + 1
    width, height, unit = 320, 12 + 6 * (high - low + 1), 320 / float(length)
    parts = [f'<svg class="motif-roll" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="motif piano roll">']
    line = pickup if pickup else bar
    if length / bar > MAX_MOTIF_BAR_LINES:  # a long motif in a short metre would be all bar lines
        line = length
    while line < length:
        parts.append(f'<line x1="{float(line) * unit:.1f}" x2="{float(line) * unit:.1f}" y1="0" y2="{height}"/>')
        line += bar
    for pitch, start, duration in notes:
        y = 6 + 6 * (high - pitch)
        x, w = float(start) * unit + 1, max(float(duration) * unit - 2, 2)
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="5" rx="2">'
                     f'<title>{escape(note_name(pitch, motif))}</title></rect>')
    return "".join(parts) + "</svg>"


def note_name(pitch: int, motif: dict) -> str:
    letter, alter, octave = spell(pitch, parse_key(motif.get("key", "C major")))
    return f"{letter}{'♯' * alter if alter > 0 else '♭' * -alter}{octave}"


if __name__ == "__main__":
    _serve()
