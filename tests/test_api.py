"""The Python API a notebook uses: sketchbook.develop(...) gives a Sketch to show, index and write."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from lxml import html

import sketchbook
from sketchbook.cli import app
from sketchbook.music.errors import SketchbookError

WALTZ = "3/4 a4 c'8 e' d'4 c' b a2."


def _notes_in(score) -> int:
    return sum(1 for note in ET.parse(score).iter("note") if note.find("rest") is None)


def test_the_notebook_snippet_shows_and_writes_the_sketch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sk = sketchbook.develop(WALTZ, seed=3)
    cell = sk._repr_html_()
    written = sk.write("out")
    assert sorted(p.name for p in written) == ["beach.mid", "beach.musicxml", "photograph.mid",
                                               "photograph.musicxml", "sketch.json"]
    assert all((tmp_path / "out" / p.name).is_file() for p in written)
    page = html.fromstring(cell)
    scores = page.xpath("//div[@class='sk-score']/*[local-name()='svg']")
    assert len(scores) == 2
    for svg, name in zip(scores, ("beach", "photograph")):
        heads = svg.xpath(".//*[local-name()='g'][contains(concat(' ', @class, ' '), ' note ')]")
        assert len(heads) == _notes_in(tmp_path / "out" / f"{name}.musicxml") > 0
    assert len(page.xpath("//*[local-name()='svg'][contains(@class, 'roll-svg')]")) == 2
    players = page.xpath("//audio")
    if shutil.which("fluidsynth"):
        assert len(players) == 2 and all(p.get("src").startswith("data:audio/ogg;base64,T2dnUw") for p in players)
    assert [h.text.strip() for h in page.xpath("//h3")] == ["beach", "photograph"]


def test_a_cell_without_audio_has_no_players():
    sk = sketchbook.develop("tide", variation="beach", bars=4)
    page = html.fromstring(sk.html(audio=False))
    assert not page.xpath("//audio") and len(page.xpath("//div[@class='sk-score']")) == 1


def test_the_cli_is_built_on_the_api_and_writes_the_same_bytes(runner, tmp_path):
    result = runner.invoke(app, ["develop", WALTZ, "--name", "waltz", "--seed", "3", "--density", "0.4",
                                 "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.stderr
    sketchbook.develop(WALTZ, seed=3, density=0.4, name="waltz").write(tmp_path / "api")
    for name in ("beach.mid", "beach.musicxml", "photograph.mid", "photograph.musicxml", "sketch.json"):
        assert (tmp_path / "cli" / "waltz" / name).read_bytes() == (tmp_path / "api" / name).read_bytes(), name


def test_pieces_levers_and_variations(tmp_path):
    sk = sketchbook.develop("tide", seed=2, morph=0.5)
    assert sk.names == ("morph",) and set(sk.pieces) == {"morph"}
    assert sk["morph"].piece is sk.pieces["morph"] and sk.summary()["morph"].bars == sk.pieces["morph"].bars
    with pytest.raises(KeyError, match="beach"):
        sk["beach"]
    slow, fast = (sketchbook.develop("tide", variation="beach", tempo=t).pieces["beach"] for t in (50, 90))
    assert slow.sections[0].tempo == 50 and fast.sections[0].tempo == 90
    sk.write(tmp_path)
    assert json.loads((tmp_path / "sketch.json").read_text())["levers"]["morph"] == 0.5
    with pytest.raises(SketchbookError, match="already exists"):
        sk.write(tmp_path)
    sk.write(tmp_path, force=True)


@pytest.mark.parametrize("kwargs, message", [
    ({"density": 2}, "density 2 must be a number between 0 and 1"),
    ({"tempo": "fast"}, "tempo fast must be a whole number between 20 and 400"),
    ({"loudness": 3}, "unknown lever 'loudness': choose from tempo, density"),
    ({"morph": 0.5, "variation": "beach"}, "morph makes one piece of its own; leave out variation beach"),
    ({"variation": "beachy"}, "variation 'beachy' is not allowed: choose beach, photograph or all"),
    ({"seed": -1}, "seed -1 must be a whole number"),
])
def test_bad_arguments_are_one_plain_sentence(kwargs, message):
    with pytest.raises(SketchbookError) as caught:
        sketchbook.develop("tide", **kwargs)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_develop_has_one_meaning_the_api_call():
    from sketchbook.api import develop

    assert sketchbook.develop is develop
    assert isinstance(sketchbook.develop(WALTZ, seed=1, variation="beach", bars=4), sketchbook.Sketch)


def test_importing_sketchbook_stays_light():
    code = ("import sys, sketchbook\n"
            "print(sorted(m for m in ('sketchbook.api', 'sketchbook.music.transform', 'sketchbook.music.model',"
            " 'music21', 'numpy', 'mido', 'verovio', 'typer') if m in sys.modules))\n"
            "develop = sketchbook.develop\n"
            "print(callable(develop), sorted(m for m in ('music21', 'numpy', 'mido', 'verovio', 'typer')"
            " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split("\n")[:2] == ["[]", "True []"], done.stderr
