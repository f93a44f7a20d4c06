"""The CLI in a pipeline: a reader that leaves early gets no traceback."""

import subprocess
import sys


def test_a_closed_pipe_ends_quietly(tmp_path):
    code = (
        "import sys; from sketchbook.cli import app; "
        f"sys.argv = ['sketchbook', 'develop', 'tide', '--explain', '--out', {str(tmp_path)!r}]; app()"
    )
    producer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    producer.stdout.close()  # the reader leaves before the first line
    _, err = producer.communicate(timeout=60)
    assert b"Traceback" not in err, err.decode()
    assert b"BrokenPipeError" not in err, err.decode()
    assert producer.returncode in (0, 1)
