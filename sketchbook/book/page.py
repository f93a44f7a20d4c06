"""HTML and CSS for the sketchbook page; build.py gathers the sketches and pictures."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from urllib.parse import quote

from sketchbook.book.gather import AUDIO_TYPES, MIDI_SUFFIXES, SCORE_SUFFIXES, PieceFiles, SketchFolder, href
from sketchbook.book.gather import PAGES as _PAGES
from sketchbook.book.pictures import motif_notes, motif_svg, note_name

CSS = """
:root { color-scheme: light dark; --bg: #f5f4f0; --card: #ffffff; --ink: #1d2127; --muted: #69707c;
  --line: #e3e1db; --accent: #3563b8; --chip: #eef1f7; --paper: #fffefb; --warn: #a4541a; }
@media (prefers-color-scheme: dark) { :root { --bg: #15171b; --card: #1e2127; --ink: #e7e9ee; --muted: #9aa1ad;
  --line: #2e323a; --accent: #8fb0ff; --chip: #272c36; --paper: #f3efe6; --warn: #f0a46b; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.5;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 2.5rem 1.5rem 4rem; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
h1, h2, h3 { line-height: 1.2; margin: 0; font-weight: 650; letter-spacing: -0.01em; }
h1 { font-size: 2.1rem; } h2 { font-size: 1.6rem; } h3 { font-size: 1.15rem; }
.book-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .4rem 1.2rem; margin-bottom: 2rem; }
.book-head p { margin: 0; color: var(--muted); }
.toc { display: flex; flex-wrap: wrap; gap: .4rem; width: 100%; padding: 0; margin: .6rem 0 0; list-style: none; }
.toc a { display: inline-block; padding: .15rem .7rem; border: 1px solid var(--line); border-radius: 99px; }
.sketch { margin: 0 0 3.5rem; scroll-margin-top: 1rem; }
.sketch-head { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 360px); gap: 1rem 2rem;
  align-items: start; margin-bottom: 1.2rem; }
.sketch-head .desc { margin: .5rem 0 .8rem; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; margin: 0; list-style: none; }
.chips li { background: var(--chip); border-radius: 6px; padding: .1rem .55rem; font-size: .88rem; }
.chips b { font-weight: 600; color: var(--muted); margin-right: .3rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 1.2rem 1.4rem;
  box-shadow: 0 1px 2px rgb(0 0 0 / .04), 0 4px 16px rgb(0 0 0 / .04); }
.motif h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
.motif-roll { width: 100%; height: auto; margin: .6rem 0 .4rem; }
.motif-roll rect { fill: var(--accent); } .motif-roll line { stroke: var(--line); stroke-width: 1; }
.notes { display: flex; flex-wrap: wrap; gap: .25rem .6rem; padding: 0; margin: 0; list-style: none;
  font-size: .85rem; color: var(--muted); }
.notes b { color: var(--ink); font-weight: 600; margin-right: .2rem; }
.variation { margin-bottom: 1.4rem; }
.variation > header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .3rem 1rem; margin-bottom: .9rem; }
.variation .summary { color: var(--muted); }
.files { margin-left: auto; display: flex; gap: .5rem; }
.files a { font-size: .85rem; padding: .2rem .65rem; border-radius: 8px; background: var(--chip); }
audio { width: 100%; height: 40px; margin-bottom: .9rem; }
figure { margin: 0 0 1rem; }
figcaption { font-size: .78rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted);
  margin-bottom: .35rem; }
.score { background: var(--paper); color: #111; border-radius: 10px; border: 1px solid var(--line);
  padding: .6rem 1rem; max-height: 34rem; overflow: auto; }
.score svg { width: 100%; height: auto; display: block; }
.roll svg { width: 100%; height: auto; display: block; }
.score g.playing { fill: #d04a02; color: #d04a02; }
.rh { color: #3563b8; } .lh { color: #c0562f; } .ped { color: #8a6d1e; }
.params { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .35rem 1.2rem;
  margin: 0; font-size: .9rem; }
.params div { display: flex; justify-content: space-between; gap: .6rem; border-bottom: 1px dashed var(--line);
  padding: .15rem 0; }
.params dt { color: var(--muted); } .params dd { margin: 0; font-variant-numeric: tabular-nums; text-align: right; }
.muted { color: var(--muted); font-size: .9rem; } .warn { color: var(--warn); font-size: .9rem; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: .85em; }
@media (max-width: 760px) { .sketch-head { grid-template-columns: 1fr; } .files { margin-left: 0; } }
"""


# As a piece plays, a cursor crosses its piano roll and the notes sounding light up in its score.
FOLLOW = """
function sketchbookFollow(article, seconds) {
  const roll = article.querySelector('.roll-svg'), cursor = roll && roll.querySelector('.cursor');
  if (cursor) {
    const x = (+roll.dataset.x0 + seconds * roll.dataset.scale).toFixed(1);
    cursor.setAttribute('x1', x); cursor.setAttribute('x2', x); cursor.setAttribute('visibility', 'visible');
  }
  const data = article.querySelector('script.timemap'), score = article.querySelector('.score');
  if (!data || !score) return;
  const map = article._timemap || (article._timemap = JSON.parse(data.textContent));
  const ms = seconds * 1000;
  let at = article._at || 0;
  if (ms < (article._ms || 0)) {  // a jump back: start again from silence
    score.querySelectorAll('.playing').forEach(n => n.classList.remove('playing'));
    at = 0;
  }
  let lit = null;
  for (; at < map.length && map[at][0] <= ms; at++) {
    for (const id of map[at][2]) { const n = document.getElementById(id); if (n) n.classList.remove('playing'); }
    for (const id of map[at][1]) {
      const n = document.getElementById(id);
      if (n) { n.classList.add('playing'); lit = n; }
    }
  }
  article._at = at; article._ms = ms;
  if (lit) {  // keep the sounding notes in view inside the score's own scroll box
    const box = score.getBoundingClientRect(), note = lit.getBoundingClientRect();
    if (note.top < box.top || note.bottom > box.bottom) score.scrollTop += note.top - box.top - box.height / 3;
  }
}
document.querySelectorAll('article.variation').forEach(article => {
  const audio = article.querySelector('audio');
  if (!audio) return;
  const step = () => {
    sketchbookFollow(article, audio.currentTime);
    if (!audio.paused) requestAnimationFrame(step);
  };
  audio.addEventListener('play', () => requestAnimationFrame(step));
  audio.addEventListener('seeked', step);
});
"""


def page(root: Path, sketches: list[SketchFolder], *, engraved: dict, progress=None) -> str:
    """The whole index.html for these sketches, scores and all (a small book)."""
    ids = [anchor(s, root) for s in sketches]
    toc = "".join(f'<li><a href="#{i}">{escape(_title(s, root))}</a></li>' for s, i in zip(sketches, ids))
    items = list(zip(sketches, ids))
    body = "".join(_sketch(root, s, i, engraved) for s, i in (progress(items, "writing") if progress else items))
    if not sketches:
        body = '<p class="muted">No sketches yet: write one with <code>sketchbook develop</code>.</p>'
    return _document(root, f'<ul class="toc">{toc}</ul>', body, _count(sketches))


def contents_page(root: Path, sketches: list[SketchFolder], anchors: list[str]) -> str:
    """A large book's index.html: every sketch with its motif, summaries and players, linked to its own page."""
    cards = "".join(_card(root, s, a) for s, a in zip(sketches, anchors))
    note = ('<p class="muted">Each sketch has its own page with its scores and piano rolls: follow its name.</p>')
    return _document(root, note, cards, _count(sketches))


def sketch_page(root: Path, sketch: SketchFolder, anchor_id: str, engraved: dict, *, stamp: str = "") -> str:
    """One sketch of a large book on its own page, in root/_pages/ (links climb one folder).

    Its scores come packed (lazy.PackedScore): the toolkit beside the page engraves them when it opens.
    """
    from sketchbook.book.lazy import engraver_scripts

    back = '<p><a href="../index.html">← all sketches</a></p>'
    return _document(root, back, _sketch(root, sketch, anchor_id, engraved, prefix="../"), "",
                     title=_title(sketch, root), stamp=stamp, scripts=engraver_scripts())


def _count(sketches: list[SketchFolder]) -> str:
    return f"{len(sketches)} sketch{'es' if len(sketches) != 1 else ''}"


def _document(root: Path, head: str, body: str, count: str, *, title: str = "", stamp: str = "",
              scripts: str = "") -> str:
    place = escape(root.resolve().name)
    heading = escape(title) if title else "Sketchbook"
    where = f"<p>{count} in <code>{place}/</code></p>" if count else f"<p>in <code>{place}/</code></p>"
    # The stamp lets the next build keep this page when its sketch has not changed (book._stamp).
    stamp = f'<meta name="sketchbook-stamp" content="{stamp}">' if stamp else ""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">{stamp}'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{heading} · {place}</title><style>{CSS}</style></head>'
            f'<body><main><header class="book-head"><h1>Sketchbook</h1>{where}'
            f'{head}</header>{body}</main>{scripts}<script>{FOLLOW}</script></body></html>\n')


def _card(root: Path, sketch: SketchFolder, anchor_id: str) -> str:
    """A sketch on the contents page: no score or roll (those are on its page), so it costs little."""
    meta = sketch.meta
    motif = meta.get("motif", {})
    link = f'<a href="{_PAGES}/{quote(anchor_id)}.html">{escape(_title(sketch, root))}</a>'
    rows = "".join(
        f'<li><b>{escape(v.name)}</b> <span class="summary">{escape(summary_line(v.summary))}</span>'
        f'{_audio(root, v, preload="none")}</li>' for v in sketch.variations)
    problem = f'<p class="warn">{escape(sketch.problem)}</p>' if sketch.problem else ""
    return (f'<section class="sketch" id="{anchor_id}"><div class="sketch-head"><div><h2>{link}</h2>'
            f'<ul class="chips">{_chips(meta, motif)}</ul>{problem}<ul class="pieces">{rows}</ul></div>'
            f'{_motif(motif)}</div></section>')


def _title(sketch: SketchFolder, root: Path) -> str:
    """The folder's name, which tells seeds of one motif apart (tide-s1, tide-s2)."""
    if sketch.folder == root:
        return str(sketch.meta.get("name") or root.resolve().name)
    return sketch.folder.relative_to(root).as_posix()


def anchor(sketch: SketchFolder, root: Path) -> str:
    return "sketch-" + _slug(sketch.folder.relative_to(root).as_posix() if sketch.folder != root else "top")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "_." else "-" for c in text)


def _chips(meta: dict, motif: dict) -> str:
    chips = [("key", motif.get("key")), ("meter", motif.get("meter")),
             ("pickup", motif.get("pickup") if str(motif.get("pickup", "0")) != "0" else None),
             ("seed", meta.get("seed")), ("sketchbook", meta.get("sketchbook"))]
    levers: dict = meta["levers"] if isinstance(meta.get("levers"), dict) else {}
    chips += [(f"--{k}", v) for k, v in levers.items() if v is not None]  # what the command line asked for
    return "".join(f"<li><b>{escape(str(k))}</b>{escape(_value(v))}</li>" for k, v in chips if v is not None)


def _sketch(root: Path, sketch: SketchFolder, anchor_id: str, engraved: dict, prefix: str = "") -> str:
    meta = sketch.meta
    motif: dict = meta["motif"] if isinstance(meta.get("motif"), dict) else {}
    problem = f'<p class="warn">{escape(sketch.problem)}</p>' if sketch.problem else ""
    if not meta and not problem:
        problem = '<p class="muted">No sketch.json here, so only the files are shown.</p>'
    desc = f'<p class="desc">{escape(str(motif["description"]))}</p>' if motif.get("description") else ""
    head = (f'<div><h2>{escape(_title(sketch, root))}</h2>{desc}<ul class="chips">{_chips(meta, motif)}</ul>'
            f'{problem}</div>{_motif(motif)}')
    variations = "".join(_variation(root, v, anchor_id, engraved, prefix) for v in sketch.variations)
    return f'<section class="sketch" id="{anchor_id}"><div class="sketch-head">{head}</div>{variations}</section>'


def _motif(motif: dict) -> str:
    notes = motif_notes(motif)
    if not notes:
        return "<div></div>"
    items = "".join(f"<li><b>{escape(note_name(p, motif))}</b>{d}</li>" for p, _, d in notes)
    name = f" · {escape(str(motif['name']))}" if motif.get("name") else ""
    return f'<div class="card motif"><h3>Motif{name}</h3>{motif_svg(motif)}<ol class="notes">{items}</ol></div>'


def _variation(root: Path, v: PieceFiles, anchor: str, engraved: dict, prefix: str = "") -> str:
    played, problem = _played(v)
    summary = summary_line(v.summary, played.tempos if played else ())
    labels = {".mid": "MIDI", ".midi": "MIDI", ".musicxml": "MusicXML", ".xml": "MusicXML", ".mxl": "MusicXML",
              ".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}
    links = "".join(f'<a href="{href(root, p, prefix)}" download>{labels[s]}</a>' for s, p in v.files.items())
    return (f'<article class="card variation" id="{anchor}-{_slug(v.name)}"><header><h3>{escape(v.name)}</h3>'
            f'<span class="summary">{escape(summary)}</span><nav class="files">{links}</nav></header>'
            f'{_audio(root, v, prefix=prefix)}{_score(v, engraved)}{_roll(v, played, problem)}'
            f'{_parameters(v.parameters)}'
            f'</article>')


def summary_line(summary: dict, tempos=()) -> str:
    """'126 → 66 bpm · 37 bars · 601 notes · 1:06': tempos in the order played (from the MIDI when known)."""
    listed: list = list(tempos) or (summary["tempos"] if isinstance(summary.get("tempos"), list) else [])
    tempos = [t for i, t in enumerate(listed) if i == 0 or t != listed[i - 1]]
    parts = [" → ".join(map(str, tempos)) + " bpm" if len(tempos) > 1 else
             f"{tempos[0]} bpm" if tempos else f"{summary['tempo']} bpm" if "tempo" in summary else ""]
    parts += [f"{summary[k]} {k}" for k in ("bars", "notes") if k in summary]
    if isinstance(summary.get("seconds"), (int, float)):
        parts.append(f"{int(summary['seconds']) // 60}:{int(summary['seconds']) % 60:02d}")
    return " · ".join(p for p in parts if p)


def _played(v: PieceFiles):
    from sketchbook.book.roll import read_played

    midi = v.first(MIDI_SUFFIXES)
    if midi is None:
        return None, ""
    try:
        return read_played(midi), ""
    except Exception as exc:
        return None, f"No piano roll for {midi.name}: {exc}"


def _audio(root: Path, v: PieceFiles, *, prefix: str = "", preload: str = "metadata") -> str:
    sources = "".join(f'<source src="{href(root, v.files[s], prefix)}" type="{t}">'
                      for s, t in AUDIO_TYPES.items() if s in v.files)
    if sources:
        return f'<audio controls preload="{preload}">{sources}</audio>'
    midi = v.first(MIDI_SUFFIXES)
    hint = f" Render it with <code>sketchbook render {escape(midi.as_posix())}</code>." if midi else ""
    return f'<p class="muted">No audio yet.{hint}</p>'


def _score(v: PieceFiles, engraved: dict) -> str:
    score = v.first(SCORE_SUFFIXES)
    if score is None:
        return '<p class="muted">No MusicXML score in this folder.</p>'
    from sketchbook.book.lazy import PackedScore, packed_figure

    answer = engraved.get(score, "it was not engraved")
    if isinstance(answer, PackedScore):  # engraved by the page's script when the page opens
        return packed_figure(score.name, v.name, answer)
    if isinstance(answer, str):  # one unreadable score, or a crashed engraver, spoils only this card
        return f'<p class="warn">The score {escape(score.name)} could not be engraved: {escape(answer)}</p>'
    svg, timemap = answer
    # The timemap lets the page light each note as the audio reaches it ("</" cannot end the script early).
    timing = json.dumps(timemap, separators=(",", ":")).replace("</", "<\\/")
    return (f'<figure><figcaption>Score · {escape(score.name)}</figcaption>'
            f'<div class="score" aria-label="score of {escape(v.name)}">{svg}</div>'
            f'<script type="application/json" class="timemap">{timing}</script></figure>')


def _roll(v: PieceFiles, played, problem: str) -> str:
    from sketchbook.book.roll import roll_svg

    midi = v.first(MIDI_SUFFIXES)
    if played is None or midi is None:
        return f'<p class="warn">{escape(problem)}</p>' if problem else ""
    return (f'<figure class="roll"><figcaption>Piano roll · {escape(midi.name)} · '
            f'<span class="rh">right hand</span> · <span class="lh">left hand</span> · '
            f'<span class="ped">pedal</span></figcaption>{roll_svg(played, label=f"piano roll of {v.name}")}'
            f'</figure>')


def _parameters(parameters: dict) -> str:
    if not parameters:
        return ""
    rows = "".join(f"<div><dt>{escape(str(k))}</dt><dd>{escape(_value(val))}</dd></div>"
                   for k, val in parameters.items())
    return f'<figure><figcaption>Parameters</figcaption><dl class="params">{rows}</dl></figure>'


def _value(value) -> str:
    if isinstance(value, float):  # sketch.json files from older versions kept the float noise
        return repr(round(value, 6))
    if isinstance(value, list) and all(isinstance(x, (str, int, float)) for x in value):
        return ", ".join(map(_value, value))
    return value if isinstance(value, str) else json.dumps(value)
