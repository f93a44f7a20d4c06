"""Scores engraved in the browser: a large book's sketch page carries its scores and engraves them when opened.

Engraving is most of a book's cost (verovio takes 0.1-0.2 s of CPU a score), so a book of 1,000 sketches
cannot engrave 2,000 scores up front in well under a minute. Instead each sketch page holds its scores
gzipped (a 200 KB MusicXML file is about 8 KB of base64) and verovio's WebAssembly toolkit, copied once
into _pages/ beside the pages, engraves the two scores of the page being read. It works from file://
with no network: the toolkit is a plain script with its WebAssembly inside, and the scores are in the page.

A score is still read here first, through the bounded readers (size limits, zip-bomb checks, no XML
entities), so the browser is only ever handed what the server-side engraver would have been.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

from sketchbook.music.errors import SketchbookError

ASSETS = Path(__file__).with_name("assets")
TOOLKIT = "verovio-toolkit-wasm.js"
# verovio's licence travels with the toolkit into every book that holds a copy of it.
SHIPPED = (TOOLKIT, "verovio-COPYING.LESSER", "verovio-COPYING", "verovio-README.txt")


@dataclass(frozen=True, slots=True)
class PackedScore:
    """A score's MusicXML, gzipped and in base64, for the page's script to engrave (ids seeded per page)."""

    data: str
    id_seed: int


def pack_score(path: Path, id_seed: int) -> PackedScore | str:
    """The score ready for the page, or in a few words why it cannot be shown (as the engraver would say)."""
    from sketchbook.book.pictures import score_text

    try:
        xml = score_text(path).encode("utf-8")
    except SketchbookError as exc:
        return str(exc)
    # mtime=0 keeps the page byte-identical from build to build.
    return PackedScore(base64.b64encode(gzip.compress(xml, compresslevel=6, mtime=0)).decode("ascii"), id_seed)


def packed_figure(name: str, piece: str, packed: PackedScore) -> str:
    """The score's figure before engraving: the page's script replaces the placeholder with the score."""
    return (f'<figure class="lazy-score" data-name="{escape(name)}" data-seed="{packed.id_seed}">'
            f'<figcaption>Score · {escape(name)}</figcaption>'
            f'<div class="score" aria-label="score of {escape(piece)}"><p class="muted">Engraving the score…'
            f'<noscript> (this needs JavaScript)</noscript></p></div>'
            f'<script type="text/plain" class="musicxml-gz">{packed.data}</script></figure>')


def engraver_scripts(prefix: str = "") -> str:
    """The toolkit and the script that engraves each packed score on the page, one after another."""
    return f'<script src="{prefix}{TOOLKIT}"></script><script>{ENGRAVE}</script>'


def install_toolkit(folder: Path) -> list[Path]:
    """Copy the toolkit and its licence into folder, unless an identical copy is there already."""
    from sketchbook.files import replacing

    written = []
    for name in SHIPPED:
        source, target = ASSETS / name, folder / name
        data = source.read_bytes()
        if not _same(target, data):
            with replacing(target, force=True, suffix=".part") as temp:
                temp.write_bytes(data)
        written.append(target)
    return written


def _same(target: Path, data: bytes) -> bool:
    try:
        if target.is_symlink() or not target.is_file() or target.stat().st_size != len(data):
            return False
        return hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()
    except OSError:
        return False


# Mirrors pictures.engrave_text: the same verovio options, the same ids kept for notes, the same timemap, so
# the follow-along script (page.FOLLOW) lights notes on these pages as on a one-page book. A score verovio
# cannot read, or that traps inside the toolkit, shows its own warning; the other scores go on.
ENGRAVE = r"""
(() => {
  const figures = [...document.querySelectorAll('figure.lazy-score')];
  const warn = (figure, why) => {
    const p = document.createElement('p');
    p.className = 'warn';
    p.textContent = `verovio could not draw the score ${figure.dataset.name}: ${why}`;
    figure.querySelector('.score').replaceWith(p);
    figure.classList.add('failed');
  };
  if (!figures.length) return;
  if (typeof verovio === 'undefined') {
    figures.forEach(f => warn(f, 'its engraver (verovio-toolkit-wasm.js) is missing beside this page'));
    return;
  }
  const inflate = async text => {
    const bytes = Uint8Array.from(atob(text.trim()), c => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text();
  };
  const engrave = async (toolkit, figure) => {
    const xml = await inflate(figure.querySelector('script.musicxml-gz').textContent);
    toolkit.setOptions({pageWidth: 2100, pageHeight: 60000, scale: 40, adjustPageHeight: true,
      adjustPageWidth: true, header: 'none', footer: 'none', svgViewBox: true, svgHtml5: true,
      svgRemoveXlink: true, svgFormatRaw: true, xmlIdSeed: +figure.dataset.seed});
    if (!toolkit.loadData(xml) || toolkit.getPageCount() < 1) throw new Error('it cannot read this score');
    let svg = toolkit.renderToSVG(1);
    if (!svg.includes('class="measure')) throw new Error('it found no measures in this score');
    svg = svg.replace(/ data-id="([^"]*)" data-class="note"/g, ' id="$1"').replace(/ data-(?:id|class)="[^"]*"/g, '');
    const width = /viewBox="0 0 ([\d.]+) /.exec(svg);
    if (width) svg = svg.replace('<svg ', `<svg style="max-width: ${Math.round(width[1] * 1.25)}px" `);
    figure.querySelector('.score').innerHTML = svg;
    await new Promise(done => setTimeout(done));  // the score shows before its timemap is worked out
    const map = toolkit.renderToTimemap({includeMeasures: false, includeRests: false})
      .map(e => [Math.round(e.tstamp || 0), e.on || [], e.off || []]);
    const timing = document.createElement('script');
    timing.type = 'application/json';
    timing.className = 'timemap';
    timing.textContent = JSON.stringify(map);
    figure.append(timing);
    figure.classList.add('engraved');
  };
  const run = async () => {
    let toolkit = null;
    for (const figure of figures) {
      try {
        toolkit = toolkit || new verovio.toolkit();
        await engrave(toolkit, figure);
      } catch (error) {
        warn(figure, String(error && error.message || error).slice(0, 160));
        toolkit = null;  // a trap may leave the toolkit broken: the next score gets a fresh one
      }
      await new Promise(done => setTimeout(done));  // the page paints between scores
    }
    document.body.dataset.engraved = figures.filter(f => f.classList.contains('engraved')).length;
  };
  verovio.module.onRuntimeInitialized = run;
})();
"""
