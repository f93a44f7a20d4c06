"""Properties over generated hostile input: inspect's MIDI reader and the book's record schema."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sketchbook.music.errors import SketchbookError
from tests.test_fuzz_loaders import midi_files, mutations, valid_midi

if TYPE_CHECKING:
    from sketchbook.analysis import Facts

FUZZ = settings(max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])


def inspect_bytes(tmp_path: Path, data: bytes) -> Facts | None:
    from sketchbook.analysis import inspect_midi

    path = tmp_path / "fuzz.mid"
    path.write_bytes(data)
    try:
        return inspect_midi(path)
    except SketchbookError as exc:
        assert str(exc) and "\n" not in str(exc) and "Traceback" not in str(exc)
        return None


@FUZZ
@given(st.one_of(midi_files, mutations(valid_midi())))
def test_inspect_midi_answers_with_sound_facts_or_one_line(tmp_path, data):
    facts = inspect_bytes(tmp_path, data)
    if facts is None:
        return
    assert facts.bars >= 1 and facts.notes >= 0 and facts.onsets <= max(facts.notes, 0) + 10**6
    assert math.isfinite(facts.duration_seconds) and facts.duration_seconds >= 0
    assert all(t.value > 0 and t.bar >= 1 for t in facts.tempos)
    json.dumps(facts.as_json())  # --json never fails


MARK = "<evil x='1'>&"
texts = st.text(max_size=30).map(lambda t: t + MARK)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(texts, inner, max_size=4)), max_leaves=12)
records = st.fixed_dictionaries({}, optional={
    "name": values, "seed": values, "sketchbook": values,
    "levers": st.one_of(values, st.dictionaries(st.sampled_from(["tempo", "preset", "meter", MARK]), values)),
    "motif": st.one_of(values, st.fixed_dictionaries({}, optional={
        "name": values, "description": values, "key": values, "meter": values, "pickup": values,
        "notes": st.lists(st.fixed_dictionaries({"pitch": values, "start": values, "duration": values}),
                          max_size=5)})),
    "variations": st.one_of(values, st.dictionaries(texts, st.fixed_dictionaries({}, optional={
        "parameters": values, "summary": values, "files": values}), max_size=3)),
})


@FUZZ
@given(records)
def test_any_record_becomes_a_page_with_nothing_unescaped(tmp_path, record):
    from sketchbook.book.gather import PieceFiles, SketchFolder, read_record
    from sketchbook.book.page import _sketch

    path = tmp_path / "sketch.json"
    path.write_text(json.dumps(record))
    try:
        meta = read_record(path)
    except SketchbookError as exc:
        assert "\n" not in str(exc)
        return
    pieces = [PieceFiles(name, parameters=info.get("parameters", {}), summary=info.get("summary", {}))
              for name, info in meta.get("variations", {}).items()]
    html = _sketch(tmp_path, SketchFolder(tmp_path, meta, pieces), "sketch-x", {})
    assert "<evil" not in html
    for info in meta.get("variations", {}).values():
        assert all("/" not in name and not name.startswith(".") for name in info.get("files", {}).values())


LEVER_KEYS = st.sampled_from(["tempo", "density", "ornament", "morph", "preset", "bars", "meter", "colour", MARK])
odd_numbers = st.one_of(st.integers(-2**70, 2**70), st.floats(allow_nan=False), st.just(10**9), st.just(-1))


@FUZZ
@given(levers=st.one_of(values, st.dictionaries(LEVER_KEYS, st.one_of(values, odd_numbers), max_size=4)),
       seed=st.one_of(values, odd_numbers), variations=values)
def test_any_record_for_from_is_taken_whole_or_refused_in_one_line(tmp_path, levers, seed, variations):
    """develop --from's reading: a record either passes every check the options pass, or one line says why."""
    from sketchbook.sketch_folder import MAX_SEED, read_sketch_record

    record = {"motif": {"name": "m", "key": "C major", "tonic": 0, "mode": "major", "meter": "4/4", "pickup": "0",
                        "notes": [{"pitch": 60, "start": "0", "duration": "1"}]},
              "levers": levers, "seed": seed, "variations": variations}
    path = tmp_path / "sketch.json"
    try:
        path.write_text(json.dumps(record))
    except ValueError:
        return
    try:
        _, seeds, chosen, taken = read_sketch_record(path, levers_given={})
    except SketchbookError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert 0 <= seeds[0] <= MAX_SEED and isinstance(seeds[0], int)
    assert 1 <= len(chosen) <= 2 and len(set(chosen)) == len(chosen)
    assert taken.bars is None or 1 <= taken.bars <= 20_000
    assert taken.levers.tempo is None or 20 <= taken.levers.tempo <= 400
