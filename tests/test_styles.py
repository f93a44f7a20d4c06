"""Styles: the shipped presets, the TOML checks a user meets, lever overrides and morphing."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.music.errors import SketchbookError
from sketchbook.music.levers import Levers
from sketchbook.music.model import DYNAMICS
from sketchbook.music.styles import morph, style_from_dict, with_levers
from sketchbook.music.techniques import TECHNIQUES
from sketchbook.style_files import PRESETS_DIR, VARIATIONS, load_style

REPO = Path(__file__).resolve().parent.parent
NUMBERS = ("tempo", "density", "ornament", "colour", "articulation", "rubato")
MINIMAL = """
name = "mist"
tempo = 60
density = 0.3
ornament = 0.1
colour = 0.4
dynamics = ["pp", "mp"]
articulation = 0.0
rubato = 0.5

[[section]]
name = "only"
techniques = ["statement", "sequence:+1"]
"""


@pytest.fixture(scope="module")
def beach():
    return load_style("beach")


@pytest.fixture(scope="module")
def photograph():
    return load_style("photograph")


@pytest.mark.parametrize("name", VARIATIONS)
def test_shipped_presets_load_by_name_and_by_path(name):
    style = load_style(name)
    assert style == load_style(PRESETS_DIR / f"{name}.toml")
    assert style.name == name and style.sections
    assert all(t.split(":")[0] in TECHNIQUES for plan in style.sections for t in plan.techniques)


def test_example_styles_load():
    for path in sorted((REPO / "examples").glob("*.toml")):
        assert load_style(path).sections


def test_the_two_variations_pull_the_levers_apart(beach, photograph):
    assert beach.levers.tempo < photograph.levers.tempo and beach.levers.density < photograph.levers.density
    assert beach.levers.ornament < photograph.levers.ornament
    assert DYNAMICS.index(beach.dynamics[1]) < DYNAMICS.index(photograph.dynamics[1])


def test_a_minimal_style_file(tmp_path):
    path = tmp_path / "mist.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    style = load_style(path)
    assert (style.levers.tempo, style.levers.density, style.dynamics) == (60, 0.3, ("pp", "mp"))
    assert style.sections[0].techniques == ("statement", "sequence:+1")
    assert style.pedal and style.sections[0].min_bars == 4  # defaults


def with_change(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = [unclosed", "not valid TOML"),
        (with_change("rubato = 0.5", "rubato = 0.5\nloudness = 3"), "unknown setting"),
        (with_change('techniques = [', 'speed = 2\ntechniques = ['), "unknown section setting"),
        (with_change('"sequence:+1"', '"sequins"'), "unknown technique 'sequins'"),
        (with_change("density = 0.3", "density = 1.5"), "density 1.5 must be between 0 and 1"),
        (with_change("colour = 0.4", "colour = -0.1"), "colour -0.1 must be between 0 and 1"),
        (with_change("tempo = 60", "tempo = 4000"), "tempo 4000 must be 20..400"),
        (with_change("density = 0.3", 'density = "fast"'), "fast"),
        (with_change("tempo = 60", 'tempo = "fast"'), "not supported"),
        (with_change('["pp", "mp"]', '["pp", "loud"]'), "unknown dynamic 'loud'"),
        (with_change('["pp", "mp"]', '["pp"]'), "two marks"),
        (with_change('techniques = [', 'dynamic = "loud"\ntechniques = ['), "unknown dynamic 'loud'"),
        (with_change('techniques = [', 'min_bars = 0\ntechniques = ['), "min_bars"),
        (with_change('techniques = [', 'density = 2.0\ntechniques = ['), "section 'only': density 2.0"),
        (with_change('techniques = [', 'tempo = 5\ntechniques = ['), "section 'only': tempo 5"),
        (with_change("tempo = 60\n", ""), "tempo"),  # a required setting missing
        (MINIMAL.split("[[section]]")[0], "at least one [[section]]"),
    ],
)
def test_bad_style_files_raise_one_line_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SketchbookError, match=re.escape(message)) as info:
        load_style(path)
    assert "\n" not in str(info.value)


def test_a_missing_or_unreadable_file_is_a_sketchbook_error(tmp_path):
    with pytest.raises(SketchbookError, match="not found"):
        load_style(tmp_path / "nowhere.toml")
    (tmp_path / "latin1.toml").write_bytes(b'name = "caf\xe9"')
    with pytest.raises(SketchbookError, match="cannot read"):
        load_style(tmp_path / "latin1.toml")


def test_style_from_dict_matches_the_file(beach):
    data = tomllib.loads((PRESETS_DIR / "beach.toml").read_text(encoding="utf-8"))
    assert style_from_dict(data) == beach


def test_lever_overrides(beach):
    fast = with_levers(beach, Levers(tempo=120, density=0.8))
    assert (fast.levers.tempo, fast.levers.density, fast.levers.ornament) == (120, 0.8, beach.levers.ornament)
    assert fast.levers.tempo_text == "Allegro"  # the words follow a tempo the user moved
    assert with_levers(beach, Levers()) == beach
    for bad in ({"tempo": 10}, {"density": 1.2}, {"ornament": -0.5}):
        with pytest.raises(SketchbookError):
            with_levers(beach, Levers(**bad))


def test_morph_ends_are_the_two_variations(beach, photograph):
    for t, style in ((0.0, beach), (1.0, photograph)):
        mixed = morph(beach, photograph, t)
        assert all(getattr(mixed.levers, n) == getattr(style.levers, n) for n in NUMBERS)
        assert mixed.dynamics == style.dynamics and mixed.sections == style.sections
    for t in (-0.1, 1.5):
        with pytest.raises(SketchbookError, match="between 0 and 1"):
            morph(beach, photograph, t)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=6, unique=True))
def test_morph_moves_every_number_monotonically(ts):
    beach, photograph = load_style("beach"), load_style("photograph")
    styles = [morph(beach, photograph, t) for t in sorted(ts)]
    for n in NUMBERS:
        values = [getattr(s.levers, n) for s in styles]
        rising = getattr(photograph.levers, n) >= getattr(beach.levers, n)
        assert values == sorted(values, reverse=not rising)
        low, high = sorted((getattr(beach.levers, n), getattr(photograph.levers, n)))
        assert all(low <= v <= high for v in values)
    for i in (0, 1):
        marks = [DYNAMICS.index(s.dynamics[i]) for s in styles]
        assert marks == sorted(marks)
    assert [s.sections for s in styles] == [beach.sections if t < 0.5 else photograph.sections for t in sorted(ts)]
