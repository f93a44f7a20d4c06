"""The console script's way out: the exit code sys.exit would give, every line printed, without the teardown."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.bounded import REPO


def leaving(code: str, *, before: str = "") -> subprocess.CompletedProcess:
    script = f"import sys; from sketchbook.launch import leave; {before}sys.stdout.write('printed'); leave({code})"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.mark.parametrize(("code", "status", "said"), [("None", 0, ""), ("0", 0, ""), ("2", 2, ""),
                                                      ("'cannot go on'", 1, "cannot go on\n")])
def test_leave_exits_as_sys_exit_would_with_the_output_flushed(code, status, said):
    done = leaving(code)
    assert (done.returncode, done.stdout, done.stderr) == (status, "printed", said)


def test_leave_runs_no_exit_handlers_but_waits_for_a_running_thread_as_sys_exit_does():
    # atexit work is never ours at that point; a thread still running is (sys.exit joins it first).
    done = leaving("0", before="import atexit; atexit.register(print, 'handler'); ")
    assert done.stdout == "printed"
    done = leaving("0", before="import threading, time; threading.Thread(target=lambda: (time.sleep(0.3), "
                               "print('thread done'))).start(); ")
    assert done.stdout == "printedthread done\n"


def test_the_console_script_exits_with_its_commands_codes(tmp_path):
    script = "import sys; sys.argv = ['sketchbook', *sys.argv[1:]]; from sketchbook.launch import main; main()"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    for args, status in ((["motifs"], 0), (["develop", "no-such-tune"], 2), (["--nonsense"], 2)):
        done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60,
                              env=env, cwd=tmp_path)
        assert done.returncode == status, (args, done.stderr)
        assert "Traceback" not in done.stderr
        assert (status == 0) == bool(done.stdout), args
