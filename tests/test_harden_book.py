"""The book treats every sketch.json and file in its folder as hostile: issue 14's cases, one by one."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from lxml import html

from sketchbook.book.build import build_book
from sketchbook.book.gather import load_sketch
from tests import hostile
from tests.bounded import sketchbook
from tests.sketch_fixtures import make_sketch


def page(index: Path):
    return html.fromstring(index.read_text(encoding="utf-8"))


def warnings_on(tree) -> list[str]:
    return [p.text_content() for p in tree.xpath("//p[contains(@class, 'warn')]")]


def scores_on(tree) -> int:
    return len(tree.xpath("//div[contains(@class, 'score')]"))


def edit_record(folder: Path, change) -> None:
    record = json.loads((folder / "sketch.json").read_text())
    change(record)
    (folder / "sketch.json").write_text(json.dumps(record))


@pytest.mark.parametrize(("name", "content"), [
    ("beach.mxl", b"PK\x03\x04 junk that is no zip archive " * 40),
    ("beach.musicxml", hostile.musicxml(hostile.WHOLE_NOTE, time="<time><beats>0</beats><beat-type>0</beat-type>"
                                                                 "</time>").encode()),
    ("beach.musicxml", b"\x00\xff" * 500),
])
def test_a_score_that_spoils_the_engraver_loses_only_itself(tmp_path, name, content):
    make_sketch(tmp_path / "good")
    bad = make_sketch(tmp_path / "bad")
    (bad / "beach.musicxml").unlink()
    (bad / name).write_bytes(content)
    run = sketchbook("book", str(tmp_path), timeout=120)
    assert run.code == 0, run.stderr
    tree = page(tmp_path / "index.html")
    assert scores_on(tree) == 3  # good's two and bad's photograph
    assert any(name in w for w in warnings_on(tree))


def test_a_crashing_engraver_child_is_named_and_replaced(tmp_path, monkeypatch):
    """The first engraver aborts on its first score, as verovio's SIGABRT does: that score alone is lost."""
    import subprocess
    import sys

    from sketchbook.book import pictures as book_engrave

    make_sketch(tmp_path / "a")
    make_sketch(tmp_path / "b")
    real, started = book_engrave._Child._start, []

    def start(child):
        started.append(child)
        if len(started) == 1:
            return subprocess.Popen([sys.executable, "-c", "import os, sys; sys.stdin.readline(); os.abort()"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return real(child)

    monkeypatch.setattr(book_engrave._Child, "_start", start)
    tree = page(build_book(tmp_path))
    assert [w for w in warnings_on(tree) if "crashed (SIGABRT)" in w] and len(warnings_on(tree)) == 1
    assert scores_on(tree) == 3


def test_html_in_a_record_is_escaped_everywhere(tmp_path):
    folder = make_sketch(tmp_path / "tide")
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    def spoil(record):
        record["levers"] = {attack: 1, "preset": attack, "meter": attack}
        record["name"] = attack
        record["motif"]["description"] = attack
        record["motif"]["key"] = attack
        record["variations"][attack] = {"parameters": {attack: attack}, "summary": {"bars": 3}}
        record["variations"]["beach"]["parameters"]["density"] = attack
    edit_record(folder, spoil)
    text = build_book(tmp_path).read_text()
    tree = html.fromstring(text)
    assert not tree.xpath("//img") and not tree.xpath("//*[@onerror]")
    assert all("alert" not in (s.text or "") for s in tree.xpath("//script"))
    assert attack not in text and "&lt;script&gt;alert" in text  # shown, as text


@pytest.mark.parametrize(("spoil", "words"), [
    (lambda r: r["variations"]["beach"]["summary"].update(seconds=float("inf")), "Infinity"),
    (lambda r: r.update(variations={f"v{i}": {} for i in range(10_001)}), "10,001 variations"),
    (lambda r: r.update(seed=1e400), "Infinity"),
])
def test_records_that_cannot_be_used_are_named_and_the_files_still_shown(tmp_path, spoil, words):
    folder = make_sketch(tmp_path / "tide")
    edit_record(folder, spoil)
    tree = page(build_book(tmp_path))
    assert any(words in w for w in warnings_on(tree)), warnings_on(tree)
    assert scores_on(tree) == 2


def test_odd_values_in_a_record_are_dropped_not_drawn(tmp_path):
    folder = make_sketch(tmp_path / "tide")

    def spoil(record):
        record["motif"]["notes"].append({"pitch": 60, "start": "1", "duration": "0"})
        record["motif"]["notes"].append({"pitch": 600, "start": "1", "duration": "1"})
        record["motif"]["meter"] = "1/1000000000"
        record["motif"]["pickup"] = "1/0"
        record["variations"]["beach"]["summary"]["tempos"] = ["fast"]
    edit_record(folder, spoil)
    sketch = load_sketch(folder)
    assert [n["pitch"] for n in sketch.meta["motif"]["notes"]] == [62, 66, 69, 74]
    assert "meter" not in sketch.meta["motif"] and "pickup" not in sketch.meta["motif"]
    tree = page(build_book(tmp_path))
    assert len(tree.xpath("//svg[contains(@class, 'motif-roll')]/rect")) == 4


@pytest.mark.parametrize("listed", ["/etc/passwd.mid", "../outside/secret.musicxml", "..\\secret.mid",
                                    ".hidden.mid", "sub/beach.mid"])
def test_files_listed_outside_the_folder_are_never_read_or_linked(tmp_path, listed):
    outside = tmp_path / "outside"
    make_sketch(outside)
    (outside / "secret.musicxml").write_bytes((outside / "beach.musicxml").read_bytes())
    book = tmp_path / "book"
    folder = make_sketch(book / "tide")
    for name in ("photograph.mid", "photograph.musicxml"):
        (folder / name).unlink()
    edit_record(folder, lambda r: r["variations"]["photograph"].update(files={"midi": listed, "musicxml": listed}))
    tree = page(build_book(book))
    links = tree.xpath("//a/@href")
    assert not any("secret" in h or "passwd" in h or h.startswith("/") or ".." in h for h in links)
    assert scores_on(tree) == 1


def test_links_planted_in_the_folder_that_lead_outside_are_ignored(tmp_path):
    outside = make_sketch(tmp_path / "outside")
    book = tmp_path / "book"
    folder = make_sketch(book / "tide")
    (folder / "stolen.musicxml").symlink_to(outside / "beach.musicxml")
    (book / "elsewhere").symlink_to(outside, target_is_directory=True)
    (folder / "sketch.json").unlink()
    (folder / "sketch.json").symlink_to(outside / "sketch.json")
    tree = page(build_book(book))
    assert not any("stolen" in h or "elsewhere" in h for h in tree.xpath("//a/@href"))
    assert any("links outside" in w for w in warnings_on(tree))


def test_the_page_is_written_through_an_exclusive_temp_file(tmp_path):
    """The old fixed temp name, planted as a link to a victim, is never followed."""
    make_sketch(tmp_path / "tide")
    victim = tmp_path.parent / f"{tmp_path.name}-victim.txt"
    victim.write_text("precious")
    (tmp_path / f".index.html.tmp{os.getpid()}").symlink_to(victim)
    build_book(tmp_path)
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [f".index.html.tmp{os.getpid()}"]


def packed_scores(tree) -> list[str]:
    """The MusicXML a large book's sketch page carries for its script to engrave, unpacked."""
    import base64
    import gzip

    return [gzip.decompress(base64.b64decode(s.text)).decode() for s in tree.xpath("//script[@class='musicxml-gz']")]


def test_a_large_book_gets_a_contents_page_and_a_page_per_sketch(tmp_path):
    from sketchbook.book.lazy import SHIPPED

    for i in range(30):
        make_sketch(tmp_path / f"tide-s{i}")
    index = build_book(tmp_path)
    tree = page(index)
    links = tree.xpath("//h2/a/@href")
    assert len(links) == 30 and scores_on(tree) == 0
    assert links[:3] == ["_pages/sketch-tide-s0.html", "_pages/sketch-tide-s1.html", "_pages/sketch-tide-s2.html"]
    one = page(tmp_path / links[1])
    assert scores_on(one) == 2
    # Each score travels in the page, byte for byte, for verovio's toolkit beside it (with its licence).
    assert packed_scores(one) == [(tmp_path / "tide-s1" / f"{v}.musicxml").read_text() for v in ("beach", "photograph")]
    assert one.xpath("//script/@src") == ["verovio-toolkit-wasm.js"]
    assert sorted(p.name for p in (tmp_path / "_pages").iterdir() if not p.name.endswith(".html")) == sorted(SHIPPED)
    assert "../tide-s1/beach.mid" in one.xpath("//a/@href")
    assert all((tmp_path / "_pages" / h).resolve().is_file() for h in one.xpath("//a[@download]/@href"))
    # A sketch removed from the folder loses its page on the next build; the book shrinks to one page, engraved
    # here, and the toolkit goes with the pages.
    for i in range(10, 30):
        shutil.rmtree(tmp_path / f"tide-s{i}")
    tree = page(build_book(tmp_path))
    assert scores_on(tree) == 20 and not list((tmp_path / "_pages").iterdir())
    assert len(tree.xpath("//div[@class='score']/*[local-name()='svg']")) == 20


def test_a_large_books_pages_hand_the_browser_only_scores_the_bounded_readers_pass(tmp_path):
    """What the server-side engraver refused before verovio saw it is refused here too, in the page's words."""
    for i in range(25):
        make_sketch(tmp_path / f"tide-s{i}")
    (tmp_path / "tide-s1" / "beach.musicxml").unlink()
    (tmp_path / "tide-s1" / "beach.mxl").write_bytes(b"PK\x03\x04 junk that is no zip archive " * 40)
    (tmp_path / "tide-s2" / "beach.musicxml").write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                                         "<score-partwise>&a;</score-partwise>")
    build_book(tmp_path)
    for n in (1, 2):
        tree = page(tmp_path / "_pages" / f"sketch-tide-s{n}.html")
        warnings = warnings_on(tree)
        assert len(warnings) == 1 and "could not be engraved" in warnings[0] and "beach." in warnings[0], warnings
        assert len(packed_scores(tree)) == 1  # the photograph, still engraved when the page opens
    assert "ENTITY" not in (tmp_path / "_pages" / "sketch-tide-s2.html").read_text()


def test_a_pages_folder_planted_as_a_link_is_refused_and_nothing_written_through_it(tmp_path):
    book, elsewhere = tmp_path / "book", tmp_path / "elsewhere"
    elsewhere.mkdir()
    for i in range(25):
        make_sketch(book / f"tide-s{i}")
    (book / "_pages").symlink_to(elsewhere)
    run = sketchbook("book", str(book))
    assert run.code == 2 and "_pages is a link" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not list(elsewhere.iterdir()) and not (book / "index.html").exists()


def test_a_book_of_1000_sketches_builds_in_well_under_a_minute_in_modest_memory_and_rebuilds_at_once(tmp_path):
    """1,000 sketch folders, under a 384 MB address-space limit: the first build writes 1,000 pages, each
    carrying its two scores for the browser to engrave; the second finds every page up to date.
    (The developed tide's real scores, 1,000 sketches: 13 s and 49 MB; see the README.)"""
    source = make_sketch(tmp_path / "src")
    book = tmp_path / "book"
    for i in range(1000):
        shutil.copytree(source, book / f"tide-s{i}")
    first = sketchbook("book", str(book), memory=384 * 2**20, timeout=120)
    assert first.code == 0, first.stderr
    assert first.seconds < 40, first.seconds
    index = book / "index.html"
    assert index.stat().st_size < 4 * 2**20  # the contents page: no scores or rolls
    assert len(page(index).xpath("//h2/a")) == 1000
    assert len(list((book / "_pages").glob("*.html"))) == 1000
    assert sum(p.stat().st_size for p in (book / "_pages").glob("*.html")) < 1000 * 64 * 1024
    assert len(packed_scores(page(book / "_pages" / "sketch-tide-s999.html"))) == 2
    second = sketchbook("book", str(book), memory=384 * 2**20, timeout=60)
    assert second.code == 0 and second.seconds < 20, (second.seconds, second.stderr)
    print(f"1,000 sketches: first build {first.seconds:.0f} s, rebuild {second.seconds:.1f} s")
