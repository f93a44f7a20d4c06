"""The SVG piano roll read from real MIDI files: each hand in its colour, every pedal press, the tempo path."""

from __future__ import annotations

from itertools import pairwise

import mido
import pytest
from lxml import etree

from sketchbook.book.roll import HAND_COLOURS, read_played, roll_svg
from tests.musical_facts import read_score


def _midi_facts(path):
    mf = mido.MidiFile(str(path))
    per_channel = {0: 0, 1: 0}
    presses = 0
    for track in mf.tracks:
        for msg in track:
            if msg.type == "note_on" and msg.velocity > 0:
                per_channel[msg.channel] += 1
            if msg.type == "control_change" and msg.control == 64 and msg.value >= 64 and msg.channel == 0:
                presses += 1
    return per_channel, presses


@pytest.mark.parametrize("variation", ["beach", "photograph"])
def test_the_roll_shows_each_hand_every_press_and_the_tempos_as_played(tide_sketch, variation):
    midi = tide_sketch / f"{variation}.mid"
    # The marked tempos in the order played (a ritardando's steps between them are not marks).
    marks = read_score(tide_sketch / f"{variation}.musicxml").quarter_tempos
    tempos = tuple(round(q) for i, (_, q) in enumerate(marks) if i == 0 or q != marks[i - 1][1])
    played = read_played(midi)
    per_channel, presses = _midi_facts(midi)
    assert [sum(1 for n in played.notes if n.hand == hand) for hand in (0, 1)] == [per_channel[0], per_channel[1]]
    assert len(played.pedals) == presses > 5
    assert all(a[1] <= b[0] for a, b in zip(played.pedals, played.pedals[1:]))  # presses never overlap
    assert played.tempos == tempos
    assert played.length == pytest.approx(mido.MidiFile(str(midi)).length, abs=0.05)
    svg = etree.fromstring(roll_svg(played).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    right, left = (svg.find(f".//s:g[@class='hand-{h}']", ns) for h in ("right", "left"))
    assert right.get("fill") == HAND_COLOURS[0] != left.get("fill") == HAND_COLOURS[1]
    assert len(right.findall("s:rect", ns)) == per_channel[0] and len(left.findall("s:rect", ns)) == per_channel[1]
    marks = svg.findall(".//s:g[@class='pedal']/s:g", ns)
    assert len(marks) == presses
    # Each press is its own mark: its bar ends before the next one's notch.
    spans = [(float(m.find("s:rect", ns).get("x")), float(m.find("s:rect", ns).get("x"))
              + float(m.find("s:rect", ns).get("width"))) for m in marks]
    assert all(end < next_start for (_, end), (next_start, _) in pairwise(spans))
