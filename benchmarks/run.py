"""sketchbook's speed, measured side by side with a floor in the same run: python benchmarks/run.py

Every figure is a median of interleaved runs (ours, floor, ours, floor, ...), so a busy machine
slows both sides alike; ratios compare wall-clock medians, and the CPU-time ratio is shown beside
(for the batch both are one core over all cores, a speed-up). Growth runs a fresh process per size:
the develop command's whole job (run_job), then its phases timed apart.
Options: --quick (one small round, for the smoke test), --repeat N, --only startup,develop,growth,batch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("startup", "develop", "growth", "batch")
# The whole main job (both pieces composed, performed and written) in half the time music21 takes only to import:
# what a user would wait for if the pieces were built with music21 instead.
DEVELOP_TARGET = 0.5


def sketchbook_command() -> list[str]:
    """The installed console script beside this Python (not a shell shim), else ``python -m sketchbook``."""
    script = Path(sys.executable).parent / "sketchbook"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "sketchbook"]


def checkout_env() -> dict[str, str]:
    """The environment for every child, floors included: this checkout first on the import path, and
    bytecode used as an installed package uses it (pip compiles a wheel's modules at install; a shell
    with PYTHONDONTWRITEBYTECODE would otherwise recompile sketchbook, not music21, on every run)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def run_once(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (the child's user + system, its own workers included) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=checkout_env())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


WARM_UP = True


def interleaved(commands: dict[str, list[str]], repeat: int, cwd: Path) -> dict[str, tuple[float, float]]:
    """Median (wall, cpu) per command over ``repeat`` rounds; each round alternates the order."""
    names = list(commands)
    for name in names if WARM_UP else ():  # warm the file cache and the .pyc files; not counted
        run_once(commands[name], cwd)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else names[::-1]:
            samples[name].append(run_once(commands[name], cwd))
    return {name: (statistics.median(s[0] for s in runs), statistics.median(s[1] for s in runs))
            for name, runs in samples.items()}


class Table:
    """Rows of: check, ours, floor, ratio, target, CPU ratio, verdict."""

    header = ("check", "ours", "floor", "ratio", "target", "cpu ratio", "")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, check: str, ours: str, floor: str, ratio: float | None, target: str = "",
            cpu_ratio: float | None = None, ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("ok" if ok else "MISS")
        self.rows.append((check, ours, floor, _x(ratio), target, _x(cpu_ratio), verdict))

    def render(self) -> str:
        widths = [max(len(r[i]) for r in [self.header, *self.rows]) for i in range(len(self.header))]
        lines = []
        for k, row in enumerate([self.header, *self.rows]):
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths).rstrip())
        return "\n".join(lines)


def _x(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio:.2f}x"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def bench_startup(table: Table, repeat: int, work: Path) -> None:
    sketchbook = sketchbook_command()
    results = interleaved({
        "help": [*sketchbook, "--help"],
        "motifs": [*sketchbook, "motifs"],
        "typer": [sys.executable, "-c", "import typer"],
    }, repeat, work)  # fmt: skip
    floor_wall, floor_cpu = results["typer"]
    for name in ("help", "motifs"):
        wall, cpu = results[name]
        label = "--help" if name == "help" else name
        table.add(f"start-up: sketchbook {label}", _ms(wall), f"import typer {_ms(floor_wall)}",
                  wall / floor_wall, "<= 1.5x", cpu / floor_cpu, wall / floor_wall <= 1.5)


def bench_develop(table: Table, repeat: int, work: Path) -> None:
    results = interleaved({
        "develop": [*sketchbook_command(), "develop", "--out", str(work / "develop"), "--force", "--quiet"],
        "music21": [sys.executable, "-c", "import music21"],
    }, repeat, work)  # fmt: skip
    (wall, cpu), (floor_wall, floor_cpu) = results["develop"], results["music21"]
    table.add("main job: sketchbook develop (tide, both, MIDI+XML)", _ms(wall), f"import music21 {_ms(floor_wall)}",
              wall / floor_wall, f"<= {DEVELOP_TARGET}x", cpu / floor_cpu, wall / floor_wall <= DEVELOP_TARGET)


def bench_growth(table: Table, repeat: int, sizes: tuple[int, ...]) -> None:
    """Develop both variations into pieces of each size, in a fresh process per run, sizes interleaved."""
    samples: dict[int, list[dict]] = {n: [] for n in sizes}
    for round_ in range(repeat):
        for bars in sizes if round_ % 2 == 0 else sizes[::-1]:
            samples[bars].append(_job(bars, memory=False))
    memory = {bars: _job(bars, memory=True)["peak_bytes"] for bars in sizes}
    phases = ("total", "develop", "midi", "musicxml")
    per_bar = {bars: {p: statistics.median(s[p] for s in samples[bars]) / bars for p in phases} for bars in sizes}
    small, large = sizes[0], sizes[-1]
    names = {"total": "the whole job", "develop": "of which compose + perform", "midi": "of which MIDI writer",
             "musicxml": "of which MusicXML writer"}
    span = " / ".join(f"{n:,}" for n in sizes)
    for phase in ("total", "develop", "midi", "musicxml"):
        values = " / ".join(f"{per_bar[n][phase] * 1000:.2f}" for n in sizes)
        ratio = per_bar[large][phase] / per_bar[small][phase]
        table.add(f"growth, ms per bar at {span} bars: {names[phase]}", values, f"{small:,} bars", ratio,
                  "<= 1.5x" if phase == "total" else "", None, ratio <= 1.5 if phase == "total" else None)
    values = " / ".join(f"{memory[n] / n / 1024:.1f}" for n in sizes)
    ratio = (memory[large] / large) / (memory[small] / small)
    table.add(f"growth, peak KiB per bar at {span} bars", values, f"{small:,} bars", ratio, "<= 1.5x", None,
              ratio <= 1.5)
    notes = statistics.median(s["notes"] for s in samples[large])
    floors = _job(large, memory=False, floors=True)
    for phase, floor, label in (("musicxml", "etree", "ElementTree"), ("midi", "mido", "bare mido")):
        ours = statistics.median(s[phase] for s in samples[large]) / notes
        table.add(f"{names[phase][9:]}, us per written note ({large:,} bars)", f"{ours * 1e6:.1f} us",
                  f"{label} {floors[floor] / notes * 1e6:.1f} us", ours / (floors[floor] / notes))


def _job(bars: int, *, memory: bool, floors: bool = False) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--job", str(bars)]
    command += ["--memory"] if memory else []
    command += ["--floors"] if floors else []
    done = subprocess.run(command, capture_output=True, text=True, env=checkout_env())
    if done.returncode != 0:
        raise SystemExit(f"growth job ({bars} bars) failed:\n{done.stderr}")
    return json.loads(done.stdout)


def job(bars: int, *, memory: bool, floors: bool) -> dict:
    """In a child process: the develop command's whole job (both variations, every file written), timed or
    traced for peak memory; then, timed apart, its phases: compose + perform, each writer."""
    import io
    import tracemalloc

    from sketchbook.batch import Job, run_job
    from sketchbook.formats.midi import performance_to_midi
    from sketchbook.formats.musicxml import piece_to_musicxml
    from sketchbook.load import load_motif
    from sketchbook.request import Request, develop_variation

    motif, request, variations = load_motif(None), Request(bars=bars), ("beach", "photograph")
    clock = time.perf_counter
    with tempfile.TemporaryDirectory(prefix="sketchbook-bench-") as tmp:
        whole = Job(motif, 1, Path(tmp) / "tide", variations, request, force=True)
        if memory:
            tracemalloc.start()
            run_job(whole)
            return {"peak_bytes": tracemalloc.get_traced_memory()[1]}
        t0 = clock()
        run_job(whole)
        out = {"total": clock() - t0, "develop": 0.0, "midi": 0.0, "musicxml": 0.0, "notes": 0}
    results = []
    for variation in variations:
        t0 = clock()
        result = develop_variation(motif, variation, seed=1, request=request)
        t1 = clock()
        performance_to_midi(result.performance).save(file=io.BytesIO())
        t2 = clock()
        piece_to_musicxml(result.piece)
        t3 = clock()
        out["develop"] += t1 - t0
        out["midi"] += t2 - t1
        out["musicxml"] += t3 - t2
        out["notes"] += len(result.piece.right_hand) + len(result.piece.left_hand)
        results.append(result)
    if floors:
        out.update(_floors(results))
    return out


def _floors(results) -> dict:
    """The same notes written the plainest way: bare ElementTree <note>s, bare mido note pairs."""
    import io
    import xml.etree.ElementTree as ET

    import mido

    t0 = time.perf_counter()
    for r in results:
        root = ET.Element("score-partwise", version="4.0")
        measure = ET.SubElement(ET.SubElement(root, "part", id="P1"), "measure", number="1")
        for n in (*r.piece.right_hand, *r.piece.left_hand):
            note = ET.SubElement(measure, "note")
            pitch = ET.SubElement(note, "pitch")
            ET.SubElement(pitch, "step").text = "CDEFGAB"[n.pitch % 7]
            ET.SubElement(pitch, "octave").text = str(n.pitch // 12 - 1)
            ET.SubElement(note, "duration").text = str(n.duration.numerator)
            ET.SubElement(note, "voice").text = str(n.voice)
            ET.SubElement(note, "type").text = "quarter"
        ET.ElementTree(root).write(io.BytesIO(), encoding="UTF-8", xml_declaration=True)
    t1 = time.perf_counter()
    for r in results:
        midi = mido.MidiFile(type=1)
        track = mido.MidiTrack()
        midi.tracks.append(track)
        for n in (*r.piece.right_hand, *r.piece.left_hand):
            track.append(mido.Message("note_on", note=n.pitch, velocity=64, time=0))
            track.append(mido.Message("note_off", note=n.pitch, velocity=0, time=int(n.duration * 480)))
        midi.save(file=io.BytesIO())
    t2 = time.perf_counter()
    return {"etree": t1 - t0, "mido": t2 - t1}


def bench_batch(table: Table, repeat: int, seeds: str, work: Path) -> None:
    base = [*sketchbook_command(), "develop", "tide", "--seeds", seeds, "--force", "--quiet"]
    results = interleaved({
        "all": [*base, "--out", str(work / "batch-all")],
        "one": [*base, "--out", str(work / "batch-one"), "--jobs", "1"],
    }, repeat, work)  # fmt: skip
    (wall, cpu), (one_wall, one_cpu) = results["all"], results["one"]
    low, high = (int(x) for x in seeds.split("-"))
    count = high - low + 1
    cores = os.cpu_count() or 1
    table.add(f"batch: {count} sketches, jobs=all ({cores} cores) vs --jobs 1", _ms(wall), f"one core {_ms(one_wall)}",
              one_wall / wall, ">= 1.7x speed-up", one_cpu / cpu, one_wall / wall >= 1.7)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small round (smoke test), not real figures")
    parser.add_argument("--repeat", type=int, help="interleaved rounds per comparison (default 7; growth 3, "
                        "batch 5)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ",".join(SECTIONS))
    parser.add_argument("--job", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floors", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job is not None:
        print(json.dumps(job(args.job, memory=args.memory, floors=args.floors)))
        return 0
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := sorted(set(chosen) - set(SECTIONS)):
        parser.error(f"unknown section {unknown[0]!r}")
    global WARM_UP
    WARM_UP = not args.quick
    repeat = args.repeat or (1 if args.quick else 7)
    slow_repeat = args.repeat or (1 if args.quick else 3)
    batch_repeat = args.repeat or (1 if args.quick else 5)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"sketchbook benchmarks: Python {platform.python_version()}, {os.cpu_count()} cores, load average "
          f"{load:.1f} at start; medians of {repeat} interleaved runs ({slow_repeat} for growth, "
          f"{batch_repeat} for batch)"
          + (" [--quick: not real figures]" if args.quick else ""))
    table = Table()
    with tempfile.TemporaryDirectory(prefix="sketchbook-bench-") as tmp:
        work = Path(tmp)
        if "startup" in chosen:
            bench_startup(table, repeat, work)
        if "develop" in chosen:
            bench_develop(table, repeat, work)
        if "growth" in chosen:
            bench_growth(table, slow_repeat, (8, 16, 32) if args.quick else (32, 320, 3200))
        if "batch" in chosen:
            bench_batch(table, batch_repeat, "1-4" if args.quick else "1-40", work)
    print(table.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
