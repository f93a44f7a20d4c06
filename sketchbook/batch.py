"""Batches: many sketches (motifs x seeds) developed in parallel, each written whole or not at all."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from sketchbook.aside import Aside
from sketchbook.limits import uncollected
from sketchbook.music.errors import SketchbookError
from sketchbook.music.levers import level
from sketchbook.music.model import Motif
from sketchbook.music.variation import Summary, Variation
from sketchbook.request import Request

if TYPE_CHECKING:
    from sketchbook.formats.reading import Reading

MAX_SEEDS = 10_000


class Order(TypedDict):
    """What `sketchbook develop` was asked, in plain values (a forked worker receives it through a pipe)."""

    motifs: list[str] | None
    variation: str | None
    seed: int
    seeds: str | None
    out: str
    name: str | None
    force: bool
    levers: dict[str, object]  # tempo, density, ornament, morph, preset, bars, meter, as request.plan takes them
    explain: bool
    audio: bool
    from_sketch: str | None
    jobs: int | None
    reading: dict[str, str | None]  # motif_meter, grid, track, part, bars_from: how motif files are read


class PieceReport(TypedDict):
    name: str
    tempos: list[int]
    bars: int
    notes: int
    seconds: float
    plan: tuple[str, list[dict[str, Any]]] | None  # the piece's title and its plan rows (--explain)


class SketchReport(TypedDict):
    folder: str
    pieces: list[PieceReport]
    written: list[str]


class Report(TypedDict):
    """What the command line prints: each sketch written, and the first problem if any sketch failed."""

    sketches: list[SketchReport]
    failed: str | None


class Job(NamedTuple):
    """One sketch to make: a motif, a seed, where it goes and which variations it holds."""

    motif: Motif
    seed: int
    folder: Path
    variations: tuple[str, ...]
    request: Request
    force: bool = False
    audio: bool = False


class Outcome(NamedTuple):
    """What a job wrote and a one-line summary per variation."""

    job: Job
    written: tuple[Path, ...]
    summaries: tuple[tuple[str, Summary], ...]
    plans: tuple[tuple[str, tuple[PlanRow, ...]], ...] = ()  # per piece: its title and plan rows (--explain)


def develop_report(order: Order, *, on_done: Callable[[int], None] | None = None) -> Report:
    """Plan the order's sketches, develop and write them, and report them as the command line prints them.

    Everything is planned (every motif read, every name checked) before anything is written; ``on_done``
    hears of each finished sketch, with how many there are in all.
    """
    from sketchbook.request import plan

    with uncollected():  # the plan's objects live as long as the command: passes over them free nothing
        variations, request = plan(order["variation"], flag="--", **order["levers"])
        reading = None
        if any(v is not None for v in order["reading"].values()):
            from sketchbook.load import parse_reading

            reading = parse_reading(**order["reading"])
        jobs = plan_jobs(order["motifs"] or [None], variations=variations, request=request,
                         seeds=parse_seeds(order["seeds"]) if order["seeds"] is not None else [order["seed"]],
                         out=Path(order["out"]), name=order["name"], force=order["force"], audio=order["audio"],
                         from_sketch=Path(order["from_sketch"]) if order["from_sketch"] is not None else None,
                         reading=reading)
    outcomes: list[Outcome] = []
    problems: list[str] = []
    advance = (lambda: on_done(len(jobs))) if on_done is not None else None
    for outcome in run_batch(jobs, workers=order["jobs"], explain=order["explain"], on_done=advance):
        if isinstance(outcome, str):
            problems.append(outcome)
        else:
            outcomes.append(outcome)
    sketches: list[SketchReport] = []
    for outcome in sorted(outcomes, key=lambda o: str(o.job.folder)):
        plans = outcome.plans or ((None, ()),) * len(outcome.summaries)
        pieces: list[PieceReport] = [
            PieceReport(name=variation, tempos=sorted(set(facts.tempos), reverse=True), bars=facts.bars,
                        notes=facts.notes, seconds=facts.seconds,
                        plan=(title, [row.as_dict() for row in rows]) if title is not None else None)
            for (variation, facts), (title, rows) in zip(outcome.summaries, plans)
        ]
        sketches.append(SketchReport(folder=outcome.job.folder.name, pieces=pieces,
                                     written=[str(p) for p in outcome.written]))
    failed = f"{len(problems)} of {len(jobs)} sketches failed; first: {problems[0]}" if problems else None
    return Report(sketches=sketches, failed=failed)


def parse_seeds(text: str) -> list[int]:
    """Seeds from '7', '1-20' or '1,4,9-12', in the order given, without repeats."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise SketchbookError(f"--seeds {_clip(text)!r}: use a number, a range like 1-20, or a list like 1,4,9-12")
        if max(len(match[1]), len(match[2] or "")) > 19:  # before int(): thousands of digits cost time to convert
            raise SketchbookError(f"--seeds {_clip(text)!r}: seeds run from 0 to {2**63 - 1}")
        low = int(match[1])
        high = int(match[2]) if match[2] else low
        if high > 2**63 - 1:
            raise SketchbookError(f"--seeds {_clip(text)!r}: seeds run from 0 to {2**63 - 1}")
        if high < low:
            raise SketchbookError(f"--seeds {_clip(text)!r}: range {part} runs backwards")
        if high - low + len(seeds) >= MAX_SEEDS:
            raise SketchbookError(f"--seeds {_clip(text)!r}: at most {MAX_SEEDS} seeds in one batch")
        seeds.extend(s for s in range(low, high + 1) if s not in seeds)
    return seeds


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def plan_jobs(specs: Sequence[str | None], *, variations: tuple[str, ...], request: Request, seeds: list[int],
              out: Path, name: str | None, force: bool, audio: bool, from_sketch: Path | None = None,
              reading: Reading | None = None) -> list[Job]:
    """Every sketch a command asks for, with every motif loaded and every name checked before anything is
    written: one bad motif or an existing file stops the whole batch before it starts."""
    from sketchbook.files import check_name
    from sketchbook.load import load_motif
    from sketchbook.sketch_folder import read_sketch_record, sketch_files

    if empty := [s for s in specs if s is not None and not s.strip()]:
        raise SketchbookError(f"empty motif {empty[0]!r}")
    if from_sketch is not None:
        motif, seeds, variations, request = read_sketch_record(from_sketch, levers_given=request.as_dict())
        motifs = [motif]
    else:
        motifs = [load_motif(s, reading=reading) for s in specs]
    if name is not None and len(motifs) > 1:
        raise SketchbookError("--name names one sketch; leave it out when developing several motifs")
    jobs = []
    for motif in motifs:
        base = name if name is not None else motif.name
        if base == "inline":
            raise SketchbookError("an inline motif needs --name for its sketch folder")
        check_name(base)
        for s in seeds:
            folder = out / (base if len(seeds) == 1 else f"{base}-s{s}")
            # The sketch's name titles its scores ("waltz: beach"), so the motif takes it on.
            jobs.append(Job(replace(motif, name=base), s, folder, variations, request, force, audio))
    folders = [j.folder for j in jobs]
    if len(set(folders)) != len(folders):
        raise SketchbookError("two motifs would write the same sketch folder; give them different names")
    if not force:
        for job in jobs:
            for file in sketch_files(list(job.variations)) + [f"{v}.ogg" for v in job.variations if audio]:
                if (job.folder / file).exists():
                    raise SketchbookError(f"{job.folder / file} already exists (use --force to overwrite)")
    return jobs


def run_job(job: Job, *, explain: bool = False, aside: bool = False) -> Outcome:
    """Develop and write one sketch (and its audio when asked).

    With ``aside`` (one job alone, its second core idle), the first variation's score (the photograph's,
    the longest to engrave) is composed and engraved from scratch in a second process while this one
    develops every variation and writes the rest. Composing that piece twice costs less than sharing it:
    a child reading a piece made here copies every page of it that either process touches, and neither
    would start before the piece was whole.
    """
    with uncollected():
        return _run_job(job, explain=explain, aside=aside)


def _run_job(job: Job, *, explain: bool, aside: bool) -> Outcome:
    from sketchbook.api import Sketch

    scores: dict[str, Aside] = {}
    if aside:
        from sketchbook.formats.musicxml import piece_to_musicxml
        from sketchbook.request import compose_only

        first = min(job.variations, key=lambda name: name != "photograph")
        scores[first] = Aside(lambda: piece_to_musicxml(compose_only(job.motif, first, seed=job.seed,
                                                                     request=job.request)))
    try:
        sketch = Sketch.develop(job.motif, job.seed, job.variations, job.request)
        written = sketch.write(job.folder, force=job.force, scores={name: s.result for name, s in scores.items()})
    finally:
        for score in scores.values():
            score.close()  # reaped; stopped first if an interrupt or an error came before its result
    results = sketch.variations
    if job.audio:
        from sketchbook.audio import render_midi

        for r in results:
            midi = job.folder / f"{r.name}.mid"
            written.append(render_midi(midi, midi.with_suffix(".ogg"), force=job.force))
    plans: tuple[tuple[str, tuple[PlanRow, ...]], ...] = ()
    if explain:
        plans = tuple((r.piece.title, tuple(plan_rows(r))) for r in results)
    return Outcome(job, tuple(written), tuple((r.name, r.summary()) for r in results), plans)


COLUMNS = ("bars", "section", "techniques", "texture", "tempo", "density", "ornament", "dynamic")


class PlanRow(NamedTuple):
    """One section of a piece's plan, as --explain shows it."""

    bars: str  # "first-last", counted from 1
    section: str
    techniques: tuple[str, ...]
    texture: tuple[str, ...]
    tempo: int
    density: float
    ornament: float
    dynamic: str

    def as_dict(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in COLUMNS}

    def cells(self) -> list[str]:
        return [", ".join(v) if isinstance(v, tuple) else str(v) for v in (getattr(self, c) for c in COLUMNS)]


def plan_rows(result: Variation) -> list[PlanRow]:
    """One row per section: bar range, name, techniques, texture, tempo, density, ornament level, dynamic."""
    return [
        PlanRow(bars=f"{s.start_bar + 1}-{s.end_bar}", section=s.name, techniques=tuple(s.techniques),
                texture=tuple(s.textures), tempo=s.tempo, density=round(level(s.levers.density), 2),
                ornament=round(level(s.levers.ornament), 2), dynamic=s.dynamic)
        for s in result.piece.sections
    ]  # fmt: skip


def _run_job_quietly(job: Job) -> Outcome | str:
    """Worker entry: a user-fixable problem comes back as its message instead of an exception."""
    from sketchbook.limits import Terminated

    try:
        return run_job(job)
    except SketchbookError as exc:
        return f"{job.folder.name}: {exc}"
    except (Terminated, KeyboardInterrupt) as exc:
        # The sketch's own cleanup has run on the way here; leave now rather than take the next job.
        os._exit(getattr(exc, "exit_code", 130))


def _start_worker() -> None:
    """Each worker stops cleanly on SIGTERM and dies with the batch, even if the batch is killed with -9."""
    import signal

    from sketchbook.limits import catch_termination, die_with_parent

    catch_termination()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the batch stops us itself
    die_with_parent()


def run_batch(jobs: list[Job], *, workers: int | None = None, explain: bool = False,
              on_done: Callable[[], None] | None = None) -> Iterator[Outcome | str]:
    """Run jobs over ``workers`` processes (all cores by default), yielding outcomes as they finish.

    An interrupt stops new work; sketches already written stay, whole.
    """
    workers = workers or os.cpu_count() or 1
    if len(jobs) == 1 or workers == 1:
        for job in jobs:
            yield run_job(job, explain=explain, aside=len(jobs) == 1)
            if on_done:
                on_done()
        return
    # concurrent.futures (and logging with it) and multiprocessing load only for a batch
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_start_worker)
    try:
        pending = {pool.submit(_run_job_quietly, job) for job in jobs}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: id(f)):
                yield future.result()
                if on_done:
                    on_done()
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown()


def _stop_workers(pool) -> None:
    """SIGTERM every worker (each removes its half-written files), wait for them, then kill any left."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
