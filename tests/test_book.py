"""The sketchbook page: built from real sketch folders, parsed back as HTML, and loaded in Chromium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import pytest
from lxml import html

from sketchbook.book.build import build_book
from sketchbook.book.gather import find_sketches, load_sketch, natural_key
from sketchbook.book.pictures import motif_svg, score_svg
from sketchbook.music.errors import SketchbookError
from tests.sketch_fixtures import make_sketch, needs_fluidsynth

NOTE_HEADS = 10  # the fixture score: 3 + grace + 2 + a three-note chord + 1
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture
def root(tmp_path):
    make_sketch(tmp_path / "tide")
    make_sketch(tmp_path / "shell", name="shell", seed=7)
    return tmp_path


def _all(element, selector: str) -> list:
    """Elements by a tiny CSS subset (tag.class steps, descendant or >), as XPath; cssselect is not a dependency."""
    path, axis = ".", "//"
    for step in selector.split():
        if step == ">":
            axis = "/"
            continue
        tag, _, cls = step.partition(".")
        path += f"{axis}{tag or '*'}" + (f"[contains(concat(' ', @class, ' '), ' {cls} ')]" if cls else "")
        axis = "//"
    return element.xpath(path)


def _page(index: Path):
    return html.fromstring(index.read_text(encoding="utf-8"))


def _svg_notes(svg_element) -> int:
    return len(svg_element.xpath(".//*[local-name()='g'][contains(concat(' ', @class, ' '), ' note ')]"))


def test_load_sketch_groups_files_by_piece(root):
    sketch = load_sketch(root / "tide")
    assert sketch.meta["seed"] == 1 and not sketch.problem
    assert [v.name for v in sketch.variations] == ["beach", "photograph"]
    beach = sketch.variations[0]
    assert set(beach.files) == {".mid", ".musicxml"}
    assert beach.parameters["tempo"] == 66 and beach.summary["bars"] == 4


def test_book_shows_every_sketch_with_scores_rolls_links_and_parameters(root):
    index = build_book(root)
    assert index == root / "index.html"
    assert sorted(p.name for p in root.iterdir()) == ["index.html", "shell", "tide"]  # no temp file left
    page = _page(index)
    assert [s.get("id") for s in _all(page, "section.sketch")] == ["sketch-shell", "sketch-tide"]
    scores = _all(page, ".score > svg")
    assert len(scores) == 4
    assert all(_svg_notes(svg) == NOTE_HEADS for svg in scores)
    hrefs = {a.get("href") for a in _all(page, "nav.files a")}
    assert hrefs == {f"{s}/{v}.{x}" for s in ("tide", "shell") for v in ("beach", "photograph")
                     for x in ("mid", "musicxml")}
    assert all((root / h).is_file() for h in hrefs)
    rolls = _all(page, ".roll svg")
    assert len(rolls) == 4
    for roll in rolls:  # the fixture's tune above middle C, its drone below: one colour per hand
        assert len(_svg(roll, "g.hand-right rect")) == 9 and len(_svg(roll, "g.hand-left rect")) == 4
        assert len(_svg(roll, "g.pedal > g")) == 4  # four presses, each drawn on its own
    tide = page.get_element_by_id("sketch-tide")
    chips = [li.text_content() for li in _all(tide, ".chips li")]
    assert "seed1" in chips and "keyD major" in chips and "meter3/4" in chips
    assert [b.text for b in _all(tide, ".notes b")] == ["D4", "F♯4", "A4", "D5"]
    beach = page.get_element_by_id("sketch-tide-beach")
    params = {dt.text: dd.text for dt, dd in zip(_all(beach, "dt"), _all(beach, "dd"))}
    assert params == {"tempo": "66", "density": "0.2", "ornament": "0.1", "dynamics": "pp, mp"}
    assert "66 bpm · 4 bars · 13 notes · 1:06" in beach.text_content()  # the MIDI's one tempo
    assert "--density0.2" in chips and not any(c.startswith("--tempo") for c in chips)
    assert not _all(page, "audio") and "sketchbook render" in beach.text_content()


def test_book_is_byte_identical_when_rebuilt(root):
    first = build_book(root).read_bytes()
    assert build_book(root).read_bytes() == first


def test_a_large_books_pages_are_byte_identical_when_written_again(tmp_path):
    from sketchbook.book.build import SPLIT_AT

    for i in range(SPLIT_AT + 1):
        make_sketch(tmp_path / f"tide-s{i}")
    build_book(tmp_path)
    first = {p.name: p.read_bytes() for p in (tmp_path / "_pages").iterdir()}
    for page in (tmp_path / "_pages").glob("*.html"):
        page.unlink()  # written again from scratch, scores packed again
    build_book(tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / "_pages").iterdir()} == first


def test_audio_players_prefer_compressed_sources(root):
    with wave.open(str(root / "tide" / "beach.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(b"\x00\x10" * 800)
    (root / "tide" / "beach.ogg").write_bytes(b"OggS")
    page = _page(build_book(root))
    (player,) = _all(page, "audio")
    assert player.get("controls") is not None
    assert [(s.get("src"), s.get("type")) for s in _all(player, "source")] == [
        ("tide/beach.ogg", "audio/ogg"), ("tide/beach.wav", "audio/wav")]


def test_folder_without_sketch_json_still_shows_its_files(root):
    (root / "tide" / "sketch.json").unlink()
    (root / "shell" / "sketch.json").write_text("{not json")
    page = _page(build_book(root))
    tide, shell = page.get_element_by_id("sketch-tide"), page.get_element_by_id("sketch-shell")
    assert "No sketch.json here" in tide.text_content()
    assert "sketch.json could not be read" in _all(shell, ".warn")[0].text_content()
    for section in (tide, shell):
        assert [h.text for h in _all(section, "article h3")] == ["beach", "photograph"]
        assert len(_all(section, ".score > svg")) == 2 and len(_all(section, ".roll svg")) == 2


def test_an_unreadable_score_or_midi_spoils_only_its_own_card(root):
    (root / "tide" / "beach.musicxml").write_text("<score-partwise>")
    (root / "tide" / "beach.mid").write_bytes(b"MThd")
    page = _page(build_book(root))
    beach = page.get_element_by_id("sketch-tide-beach")
    warnings = [w.text_content() for w in _all(beach, ".warn")]
    assert any("could not be engraved" in w for w in warnings) and any("No piano roll" in w for w in warnings)
    assert len(_all(page, ".score > svg")) == 3


def test_loose_files_in_the_root_and_an_empty_root(tmp_path):
    assert find_sketches(tmp_path) == []
    assert "No sketches yet" in _page(build_book(tmp_path)).text_content()
    with pytest.raises(SketchbookError, match="no such folder"):
        build_book(tmp_path / "missing")


def test_score_svg_and_motif_svg_draw_every_note(root):
    svg = html.fromstring(score_svg(root / "tide" / "beach.musicxml"))
    assert _svg_notes(svg) == NOTE_HEADS
    assert len(svg.xpath(".//*[contains(concat(' ', @class, ' '), ' measure ')]")) == 4
    motif = {"key": "D major", "meter": "3/4", "notes": [{"pitch": 62, "start": "0", "duration": "1"},
                                                         {"pitch": 66, "start": "1", "duration": "1/2"}]}
    assert motif_svg(motif).count("<rect") == 2
    assert motif_svg({"notes": []}) == ""


def _svg(element, selector: str) -> list:
    """SVG elements by tag.class steps (namespace-blind); '>' for a direct child."""
    path, axis = ".", "//"
    for step in selector.split():
        if step == ">":
            axis = "/"
            continue
        tag, _, cls = step.partition(".")
        path += f"{axis}*[local-name()='{tag}']" + (f"[contains(concat(' ', @class, ' '), ' {cls} ')]" if cls else "")
        axis = "//"
    return element.xpath(path)


def test_the_tempo_path_reads_in_the_order_played(root):
    import mido

    from tests.sketch_fixtures import write_midi

    midi = root / "tide" / "photograph.mid"
    write_midi(midi, tempo=126)
    mf = mido.MidiFile(str(midi))
    mf.tracks[0].insert(1, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(66), time=960))
    mf.tracks[0][2].time = 0
    mf.save(str(midi))
    photograph = _page(build_book(root)).get_element_by_id("sketch-tide-photograph")
    assert "126 → 66 bpm" in photograph.text_content()


def test_sketches_sort_in_natural_order(tmp_path):
    for seed in (1, 10, 11, 2):
        make_sketch(tmp_path / f"kite-s{seed}", name="kite", seed=seed)
    page = _page(build_book(tmp_path))
    assert [s.get("id") for s in _all(page, "section.sketch")] == [f"sketch-kite-s{n}" for n in (1, 2, 10, 11)]
    assert sorted(["a10", "a2", "B1", "a1b"], key=natural_key) == ["a1b", "a2", "a10", "B1"]


@needs_fluidsynth
def test_book_with_audio_renders_missing_audio_compressed_at_a_common_peak(root):
    from tests.audio_facts import levels

    page = _page(build_book(root, audio=True))
    rendered = sorted((root / "tide").glob("*.ogg"))
    assert [p.name for p in rendered] == ["beach.ogg", "photograph.ogg"] and not list(root.rglob("*.wav"))
    assert len([x for x in _all(page, "audio source") if x.get("type") == "audio/ogg"]) == 4
    for ogg in rendered:
        seconds, peak, rms = levels(ogg)
        assert ogg.read_bytes()[:4] == b"OggS" and -1.6 <= peak <= -0.4 and rms > -30
        assert ogg.stat().st_size < seconds * 48000 * 4 / 8  # under an eighth of the 16-bit stereo WAV


@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install chromium)")
def test_chromium_sees_scores_players_and_links(root):
    (root / "tide" / "beach.ogg").write_bytes(b"OggS")
    index = build_book(root)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--dump-dom", index.resolve().as_uri()],
            capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    dom = html.fromstring(done.stdout)
    scores = _all(dom, ".score > svg")
    assert len(scores) == 4 and all(_svg_notes(svg) == NOTE_HEADS for svg in scores)
    assert [s.get("src") for s in _all(dom, "audio source")] == ["tide/beach.ogg"]
    suffixes = sorted(a.get("href").rpartition(".")[2] for a in _all(dom, "nav.files a"))
    assert suffixes == ["mid"] * 4 + ["musicxml"] * 4 + ["ogg"]
    assert len(_all(dom, ".roll svg")) == 4


def test_numbers_show_as_people_write_them(root):
    import json

    record = json.loads((root / "tide" / "sketch.json").read_text())
    record["variations"]["beach"]["parameters"]["density"] = 0.45000000000000007  # an older sketch.json
    record["levers"]["density"] = 0.30000000000000004
    (root / "tide" / "sketch.json").write_text(json.dumps(record))
    page = _page(build_book(root))
    beach = page.get_element_by_id("sketch-tide-beach")
    params = {dt.text: dd.text for dt, dd in zip(_all(beach, "dt"), _all(beach, "dd"))}
    assert params["density"] == "0.45"
    chips = [li.text_content() for li in _all(page.get_element_by_id("sketch-tide"), ".chips li")]
    assert "--density0.3" in chips
