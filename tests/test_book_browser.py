"""The book as a reader meets it: two real sketches, every score engraved and every piece playable in Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from lxml import html

from sketchbook.cli import app
from tests.sketch_fixtures import needs_fluidsynth

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

# Appended to a copy of the page: each player starts (muted), and each file is decoded to measure its peak.
PROBE = """<script>
const players = [...document.querySelectorAll('audio')];
const playing = players.map(a => new Promise(done => {
  a.muted = true;
  a.addEventListener('playing', () => done(true));
  a.addEventListener('error', () => done(false));
  a.play().catch(() => done(false));
}));
const decoded = players.map(a => new Promise(done => {
  const request = new XMLHttpRequest();
  request.open('GET', a.querySelector('source').src);
  request.responseType = 'arraybuffer';
  request.onload = () => new OfflineAudioContext(2, 48000, 48000).decodeAudioData(request.response).then(b => {
    let peak = 0;
    for (let c = 0; c < b.numberOfChannels; c++)
      for (const v of b.getChannelData(c)) peak = Math.max(peak, Math.abs(v));
    done({src: a.currentSrc || a.querySelector('source').src, seconds: b.duration, peak: peak});
  }, () => done(null));
  request.onerror = () => done(null);
  request.send();
}));
Promise.all([Promise.all(playing), Promise.all(decoded)]).then(([p, d]) => {
  players.forEach(a => a.pause());
  // Where each piece is at 4.5 s: the roll's cursor, and the notes lit in the score.
  const follow = [...document.querySelectorAll('article.variation')].map(article => {
    sketchbookFollow(article, 4.5);
    return {id: article.id, cursor: +article.querySelector('.roll-svg .cursor').getAttribute('x1'),
            lit: [...article.querySelectorAll('.score .playing')].map(n => n.id + ' ' + n.getAttribute('class'))};
  });
  document.body.setAttribute('data-audio', JSON.stringify({playing: p, decoded: d, follow: follow}));
});
</script>"""


def _notes_in(score: Path) -> int:
    """Sounding notes written in a MusicXML file (grace and chord notes count, rests do not)."""
    return sum(1 for note in ET.parse(score).iter("note") if note.find("rest") is None)


@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install chromium)")
@needs_fluidsynth
def test_a_book_of_two_sketches_shows_every_score_and_plays_compressed_audio(runner, tmp_path):
    root = tmp_path / "book"
    result = runner.invoke(app, ["develop", "tide", "heron", "--bars", "6", "--out", str(root), "-q"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["book", str(root), "--audio"])
    assert result.exit_code == 0, result.stderr
    page = (root / "index.html").read_text(encoding="utf-8")
    assert "could not be engraved" not in page
    probe = root / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--allow-file-access-from-files",
             "--autoplay-policy=no-user-gesture-required", "--virtual-time-budget=30000",
             f"--user-data-dir={profile}", "--dump-dom", probe.as_uri()],
            capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-500:]
    dom = html.fromstring(done.stdout)
    articles = dom.xpath("//article[contains(@class, 'variation')]")
    assert len(articles) == 4
    for article in articles:
        sketch = article.get("id").removeprefix("sketch-").rsplit("-", 1)
        score = root / sketch[0] / f"{sketch[1]}.musicxml"
        svg = article.xpath(".//div[@class='score']/*[local-name()='svg']")
        assert len(svg) == 1, article.get("id")
        heads = svg[0].xpath(".//*[local-name()='g'][contains(concat(' ', @class, ' '), ' note ')]")
        assert len(heads) == _notes_in(score) > 0, article.get("id")
        assert len(article.xpath(".//figure[@class='roll']/*[local-name()='svg']")) == 1
    sources = [s.get("src") for s in dom.xpath("//audio/source")]
    assert sorted(sources) == sorted(f"{s}/{v}.ogg" for s in ("tide", "heron") for v in ("beach", "photograph"))
    audio = json.loads(dom.xpath("//body")[0].get("data-audio"))
    assert audio["playing"] == [True] * 4
    for decoded in audio["decoded"]:
        # Every piece, soft beach or loud photograph, peaks at about -1 dBFS (0.89) as Chromium decodes it.
        assert decoded and decoded["seconds"] > 5 and 0.80 <= decoded["peak"] <= 0.98, decoded
    assert all((root / s).stat().st_size < 2_000_000 for s in sources)
    for follow in audio["follow"]:
        article = dom.get_element_by_id(follow["id"])
        roll = article.xpath(".//*[local-name()='svg'][contains(@class, 'roll-svg')]")[0]
        assert follow["cursor"] == pytest.approx(float(roll.get("data-x0")) + 4.5 * float(roll.get("data-scale")),
                                                 abs=0.1)
        sounding: set[str] = set()
        for ms, on, off in json.loads(article.xpath(".//script[@class='timemap']")[0].text):
            if ms <= 4500:
                sounding = (sounding - set(off)) | set(on)
        lit = dict(entry.split(" ", 1) for entry in follow["lit"])
        assert set(lit) == sounding and sounding, follow["id"]
        assert all("note" in classes.split() and "playing" in classes.split() for classes in lit.values())


# Appended to a copy of a large book's sketch page: once the page's script has engraved its scores, each piece is
# followed to 1.5 s (as its audio would be) and the notes lit in its score are recorded.
LAZY_PROBE = """<script>
const settle = () => {
  if (document.body.dataset.engraved === undefined) return setTimeout(settle, 50);
  const follow = [...document.querySelectorAll('article.variation')].map(article => {
    sketchbookFollow(article, 1.5);
    return {id: article.id, lit: [...article.querySelectorAll('.score .playing')].map(n => n.id)};
  });
  document.body.setAttribute('data-follow', JSON.stringify(follow));
};
settle();
</script>"""


def _open(page: Path, *, until: str | None = None) -> html.HtmlElement:
    """The page's DOM once its scripts have run, opened from file:// as a reader would (no special flags).

    ``until`` names an attribute the page's script sets on <body> when it is done. Chromium's virtual time
    runs ahead while WebAssembly compiles off the main thread, so on a busy machine the DOM can be dumped
    before the scores are engraved: then the page is opened again, with more time, a few times at most.
    """
    for budget in (30_000, 60_000, 120_000):
        with tempfile.TemporaryDirectory() as profile:
            done = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", f"--virtual-time-budget={budget}",
                 f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-500:]
        dom = html.fromstring(done.stdout)
        if until is None or dom.xpath("//body")[0].get(until) is not None:
            break
    return dom


@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install chromium)")
def test_a_large_books_sketch_page_engraves_its_scores_when_opened_and_follows_the_audio(runner, tmp_path):
    from sketchbook.book.build import SPLIT_AT
    from tests import hostile

    source = tmp_path / "src"
    result = runner.invoke(app, ["develop", "tide", "--bars", "6", "--out", str(source), "-q"])
    assert result.exit_code == 0, result.stderr
    root = tmp_path / "book"
    for i in range(SPLIT_AT + 1):
        shutil.copytree(source / "tide", root / f"tide-s{i}")
    # One score verovio cannot lay out (a 0/0 time signature, which crashes the Python engraver with SIGFPE).
    (root / "tide-s3" / "beach.musicxml").write_text(
        hostile.musicxml(hostile.WHOLE_NOTE, time="<time><beats>0</beats><beat-type>0</beat-type></time>"))
    # And one whose words are markup: verovio writes them as text, and the page inserts only what verovio wrote.
    (root / "tide-s4" / "beach.musicxml").write_text(hostile.musicxml(
        '<direction><direction-type><words>&lt;img src=x onerror="document.title=1"&gt;</words></direction-type>'
        "</direction>" + hostile.WHOLE_NOTE))
    result = runner.invoke(app, ["book", str(root)])
    assert result.exit_code == 0, result.stderr
    page = root / "_pages" / "sketch-tide-s1.html"
    built = html.fromstring(page.read_text(encoding="utf-8"))  # as written: the scores are engraved when opened
    assert len(built.xpath("//div[@class='score']")) == 2
    assert not built.xpath("//div[@class='score']//*[local-name()='svg']")
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", LAZY_PROBE + "</body>"), encoding="utf-8")
    dom = _open(probe, until="data-follow")
    assert dom.xpath("//body")[0].get("data-engraved") == "2"
    follow = {f["id"]: f["lit"] for f in json.loads(dom.xpath("//body")[0].get("data-follow"))}
    for article in dom.xpath("//article[contains(@class, 'variation')]"):
        piece = article.get("id").rsplit("-", 1)[1]
        svg = article.xpath(".//div[@class='score']/*[local-name()='svg']")
        assert len(svg) == 1, article.get("id")
        heads = svg[0].xpath(".//*[local-name()='g'][contains(concat(' ', @class, ' '), ' note ')]")
        assert len(heads) == _notes_in(root / "tide-s1" / f"{piece}.musicxml") > 0
        assert len(article.xpath(".//figure[@class='roll']/*[local-name()='svg']")) == 1
        # The notes lit at 1.5 s are those the engraved score's own timemap says are sounding then.
        sounding: set[str] = set()
        for ms, on, off in json.loads(article.xpath(".//script[@class='timemap']")[0].text):
            if ms <= 1500:
                sounding = (sounding - set(off)) | set(on)
        assert sounding and set(follow[article.get("id")]) == sounding, article.get("id")
        assert {h.get("id") for h in heads} >= sounding
    # The spoiled score loses only itself: a warning in its place, and the page's other score is drawn.
    spoiled = _open(root / "_pages" / "sketch-tide-s3.html", until="data-engraved")
    assert spoiled.xpath("//body")[0].get("data-engraved") == "1"
    warnings = [p.text_content() for p in spoiled.xpath("//p[@class='warn']")]
    assert len(warnings) == 1 and "beach.musicxml" in warnings[0], warnings
    assert len(spoiled.xpath("//div[@class='score']/*[local-name()='svg']")) == 1
    marked = _open(root / "_pages" / "sketch-tide-s4.html", until="data-engraved")
    assert marked.xpath("//body")[0].get("data-engraved") == "2" and not marked.xpath("//img")
    assert '<img src=x onerror="document.title=1">' in marked.xpath("//div[@class='score']")[0].text_content()
    assert marked.xpath("//title")[0].text != "1"
    # A page copied away from the toolkit says so in each score's place rather than waiting forever.
    (root / "_pages" / "verovio-toolkit-wasm.js").unlink()
    alone = _open(root / "_pages" / "sketch-tide-s1.html")
    warnings = [p.text_content() for p in alone.xpath("//p[@class='warn']")]
    assert len(warnings) == 2 and all("verovio-toolkit-wasm.js" in w and "is missing" in w for w in warnings)
