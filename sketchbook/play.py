"""Play a MIDI file now: to a MIDI output port through mido, or out loud through FluidSynth's audio driver.

The clock and the sleep are parameters, so a test can hand in a port that records what it is sent and
check each message's time without waiting for it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sketchbook.music.errors import SketchbookError

PORTS_HINT = "MIDI ports need python-rtmidi; install it with: pip install 'sketchbook[play]'"
SUSTAIN, ALL_NOTES_OFF = 64, 123


def schedule(midi: Path) -> list[tuple[float, object]]:
    """Every channel message of a MIDI file with its time in seconds from the start, tempo changes applied."""
    import mido

    from sketchbook.audio import is_midi

    midi = Path(midi)
    if not midi.is_file():
        raise SketchbookError(f"{midi}: no such MIDI file")
    if not is_midi(midi):
        raise SketchbookError(f"{midi}: not a MIDI file (it does not start with a MIDI header)")
    from sketchbook.files import read_limited
    from sketchbook.formats.midi_scan import MAX_MIDI_BYTES, scan_midi

    data = read_limited(midi, MAX_MIDI_BYTES, "MIDI")  # read once, within the limit
    scan_midi(midi, data)  # the bounded scanner first: a hostile file is refused before mido parses it
    try:
        mf = mido.MidiFile(file=io.BytesIO(data), clip=True)
        events, now = [], 0.0
        for msg in mf:  # merged tracks, each delta already in seconds under the tempo map
            now += msg.time
            if not msg.is_meta and msg.type != "sysex":
                events.append((now, msg.copy(time=0)))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise SketchbookError(f"{midi}: not a readable MIDI file ({' '.join(str(exc).split())})") from None
    return events


def play_to_port(events: Iterable[tuple[float, object]], port, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> int:
    """Send each message at its time; however playing ends, every used channel is left silent, pedal up."""
    import mido

    channels: set[int] = set()
    sent = 0
    start = clock()
    try:
        for at, msg in events:
            wait = start + at - clock()
            if wait > 0:
                sleep(wait)
            port.send(msg)
            sent += 1
            if hasattr(msg, "channel"):
                channels.add(msg.channel)
    finally:
        for channel in sorted(channels):
            port.send(mido.Message("control_change", channel=channel, control=SUSTAIN, value=0))
            port.send(mido.Message("control_change", channel=channel, control=ALL_NOTES_OFF, value=0))
    return sent


def output_names() -> list[str]:
    """The MIDI output ports this system offers."""
    return _backend(lambda mido: list(mido.get_output_names()))


def open_port(name: str):
    """An open MIDI output port by its exact name (see output_names)."""
    names = output_names()
    if name not in names:
        listed = ", ".join(repr(n) for n in names) if names else "none (is a synthesizer or MIDI device running?)"
        raise SketchbookError(f"--port {name!r} is not a MIDI output port here; the ports are: {listed}")
    return _backend(lambda mido: mido.open_output(name))


def play_with_fluidsynth(midi: Path, *, soundfont: Path | None = None, driver: str | None = None) -> None:
    """Play out loud through FluidSynth's audio driver, returning when the piece ends."""
    from sketchbook.audio import GAIN, find_fluidsynth, find_soundfont

    schedule(midi)  # the same checks as for a port: a real MIDI file, readable
    command = [find_fluidsynth(), "-n", "-i", "-q", "-g", str(GAIN)]  # -n: no MIDI input to open
    if driver:
        command += ["-a", driver]
    command += [str(find_soundfont(soundfont)), str(midi)]
    with tempfile.TemporaryFile("w+") as errors:
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=errors, text=True)
        errors.seek(0)
        detail = [line.strip() for line in errors.read().splitlines() if line.strip()]
    if done.returncode != 0 or any("audio driver" in line.lower() for line in detail):
        reason = next((line for line in detail if "driver" in line.lower()), detail[-1] if detail else
                      f"exit code {done.returncode}")
        raise SketchbookError(f"fluidsynth could not play {Path(midi).name} out loud: {reason} "
                              "(choose another --driver, or a MIDI --port)")


def _backend(action):
    """Run a mido port action; the MIDI system's own complaints become one line (ALSA prints to fd 2)."""
    try:
        import mido
        import rtmidi  # noqa: F401 - mido's default backend
    except ImportError:
        raise SketchbookError(PORTS_HINT) from None
    with _quiet_stderr():
        try:
            return action(mido)
        except SketchbookError:
            raise
        except Exception as exc:
            reason = re.sub(r"^\w+::\w+:\s*", "", " ".join(str(exc).split()))  # rtmidi's C++ prefix
            if "ALSA" in reason:
                reason = "the ALSA sequencer (/dev/snd/seq) could not be opened"
            raise SketchbookError(f"no MIDI system to send to: {reason or 'the MIDI backend failed'}") from None


@contextlib.contextmanager
def _quiet_stderr():
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
