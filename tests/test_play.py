"""`sketchbook play`: what reaches a MIDI port, and when, checked with a port that records what it is sent."""

from __future__ import annotations

import time

import mido
import pytest

from sketchbook import play as player
from sketchbook.cli import app
from sketchbook.music.errors import SketchbookError
from tests.sketch_fixtures import BASS, PEDALS, TUNE, write_midi


class RecordingPort:
    """A MIDI output port that keeps each message with the clock's reading when it arrived."""

    def __init__(self, clock):
        self.clock, self.sent, self.closed = clock, [], False

    def send(self, msg):
        self.sent.append((self.clock(), msg))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.closed = True


class VirtualClock:
    """Time that passes only when the player sleeps: exact times, no waiting."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0
        self.now += seconds


def _onsets(sent, start):
    return [(round(t - start, 4), m.note) for t, m in sent if m.type == "note_on" and m.velocity > 0]


def test_every_note_leaves_at_its_time_under_the_tempo(tmp_path):
    midi = write_midi(tmp_path / "tune.mid", tempo=90)  # a quarter note is 2/3 s
    clock = VirtualClock()
    port = RecordingPort(clock)
    player.play_to_port(player.schedule(midi), port, clock=clock, sleep=clock.sleep)
    expected = sorted((round(start * 60 / 90, 4), pitch) for pitch, start, _, _ in TUNE + BASS)
    assert sorted(_onsets(port.sent, 100.0)) == expected
    offs = [round(t - 100.0, 4) for t, m in port.sent if m.type == "note_off" and m.note == 74]
    assert offs == [round(5 * 60 / 90, 4)]  # D5 struck at beat 3, held two beats
    presses = [round(t - 100.0, 4) for t, m in port.sent if m.type == "control_change" and m.value == 127]
    assert presses == [round(down * 60 / 90, 4) for down, _ in PEDALS]
    times = [t for t, _ in port.sent]
    assert times == sorted(times)


def test_a_tempo_change_midway_is_followed(tmp_path):
    midi = write_midi(tmp_path / "tune.mid", tempo=120)
    mf = mido.MidiFile(str(midi))
    # From beat 6 on, 60 bpm: a note at beat 9 sounds at 3 s (6 beats at 120) + 3 s (3 beats at 60).
    mf.tracks[0].insert(1, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(60), time=6 * mf.ticks_per_beat))
    mf.tracks[0][2].time = 0
    mf.save(str(midi))
    clock = VirtualClock()
    port = RecordingPort(clock)
    player.play_to_port(player.schedule(midi), port, clock=clock, sleep=clock.sleep)
    onsets = dict((pitch, t) for t, pitch in _onsets(port.sent, 100.0) if pitch in (62, 74))
    assert onsets[74] == pytest.approx(1.5) and onsets[62] == pytest.approx(6.0)  # beat 3 at 120; beat 9


def test_real_time_sending_keeps_time(tmp_path):
    notes = tuple((60 + i, i * 0.5, 0.25, 80) for i in range(6))  # eighth-note pulse at 240 bpm: every 125 ms
    midi = write_midi(tmp_path / "pulse.mid", tempo=240, notes=notes, pedals=())
    port = RecordingPort(time.monotonic)
    start = time.monotonic()
    player.play_to_port(player.schedule(midi), port)
    lateness = [t - expected for (t, _), expected in
                zip(_onsets(port.sent, start), [i * 0.125 for i in range(6)])]
    assert all(-0.002 <= late <= 0.03 for late in lateness), lateness


def test_stopping_midway_lets_every_note_go(tmp_path):
    midi = write_midi(tmp_path / "tune.mid")
    clock = VirtualClock()

    def interrupted(seconds):
        if clock.now - 100.0 > 2:
            raise KeyboardInterrupt
        clock.sleep(seconds)

    port = RecordingPort(clock)
    with pytest.raises(KeyboardInterrupt):
        player.play_to_port(player.schedule(midi), port, clock=clock, sleep=interrupted)
    tail = [m for _, m in port.sent[-2:]]
    assert [(m.control, m.value) for m in tail] == [(64, 0), (123, 0)]


def test_the_cli_sends_to_the_chosen_port(runner, tmp_path, monkeypatch):
    midi = write_midi(tmp_path / "tune.mid")
    opened = []

    def fake_open(name):
        if name != "Piano":
            raise SketchbookError(f"--port {name!r} is not a MIDI output port here; the ports are: 'Piano'")
        port = RecordingPort(time.monotonic)
        opened.append(port)
        return port

    monkeypatch.setattr(player, "open_port", fake_open)
    monkeypatch.setattr(player, "output_names", lambda: ["Piano", "Synth 2"])
    monkeypatch.setattr(player, "schedule", lambda path, real=player.schedule: [
        (t / 50, m) for t, m in real(path)])  # fifty times faster, the same order and proportions
    result = runner.invoke(app, ["play", str(midi), "--port", "Piano"])
    assert result.exit_code == 0, result.stderr
    (port,) = opened
    assert port.closed and len([m for _, m in port.sent if m.type == "note_on"]) == len(TUNE + BASS)
    result = runner.invoke(app, ["play", "--ports"])
    assert result.exit_code == 0 and result.stdout.splitlines() == ["Piano", "Synth 2"]
    result = runner.invoke(app, ["play", str(midi), "--port", "Nope"])
    assert result.exit_code == 2 and "'Nope' is not a MIDI output port" in result.stderr


def test_open_port_names_the_ports_there_are(monkeypatch):
    monkeypatch.setattr(player, "output_names", lambda: ["FLUID Synth"])
    with pytest.raises(SketchbookError, match="the ports are: 'FLUID Synth'"):
        player.open_port("Piano")


def test_bad_files_and_missing_systems_are_one_line(runner, tmp_path, monkeypatch):
    (tmp_path / "fake.mid").write_text("not midi")
    for args, text in ((["play", str(tmp_path / "fake.mid"), "--port", "x"], "not a MIDI file"),
                       (["play", str(tmp_path / "gone.mid"), "--port", "x"], "no such MIDI file"),
                       (["play"], "give a MIDI file")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and text in result.stderr and len(result.stderr.strip().splitlines()) == 1
    monkeypatch.setattr(player.subprocess, "run", lambda *a, **k: pytest.fail("fluidsynth must not start"))
    monkeypatch.setattr("sketchbook.audio.shutil.which", lambda name: None)
    result = runner.invoke(app, ["play", str(write_midi(tmp_path / "t.mid"))])
    assert result.exit_code == 2 and "apt-get install fluidsynth" in result.stderr


def test_fluidsynth_plays_through_the_chosen_driver(tmp_path, monkeypatch):
    midi = write_midi(tmp_path / "tune.mid")
    calls = []

    class Done:
        returncode = 0

    def fake_run(command, **kwargs):
        calls.append(command)
        return Done()

    monkeypatch.setattr(player.subprocess, "run", fake_run)
    monkeypatch.setattr("sketchbook.audio.shutil.which", lambda name: "/usr/bin/fluidsynth")
    monkeypatch.setattr("sketchbook.audio.find_soundfont", lambda soundfont=None: tmp_path / "gm.sf2")
    player.play_with_fluidsynth(midi, driver="pulseaudio")
    (command,) = calls
    assert command[:3] == ["/usr/bin/fluidsynth", "-n", "-i"] and command[-4:] == [
        "-a", "pulseaudio", str(tmp_path / "gm.sf2"), str(midi)]


@pytest.mark.skipif(not __import__("shutil").which("fluidsynth"), reason="needs fluidsynth")
def test_fluidsynth_file_driver_plays_the_whole_piece(tmp_path, monkeypatch):
    # The 'file' driver writes what would have sounded, in real time: a 1.5 s piece takes about 1.5 s.
    notes = ((60, 0, 1, 90), (64, 1, 1, 90), (67, 2, 1, 90))
    midi = write_midi(tmp_path / "short.mid", tempo=120, notes=notes, pedals=())
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    try:
        player.play_with_fluidsynth(midi, driver="file")
    except SketchbookError as exc:  # a soundfont is needed too
        pytest.skip(str(exc))
    assert 1.3 <= time.monotonic() - start <= 10
    assert (tmp_path / "fluidsynth.wav").stat().st_size > 44100  # what the driver "played"
