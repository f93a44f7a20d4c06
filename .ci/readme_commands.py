"""Run every `sketchbook ...` command in the README's bash blocks, as written, in the current folder.

CI runs this from a fresh virtual environment outside the repository (see .ci/wheel). Commands that
need something this machine may lack (an engraver, FluidSynth, a sound card) run only when it is there.
"""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

readme = Path(sys.argv[1]).read_text(encoding="utf-8")
commands = []
for block in re.findall(r"```bash\n(.*?)```", readme, flags=re.S):
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if "sketchbook" in words:  # also the tail of `pip install -e . && sketchbook develop`
            commands.append(words[words.index("sketchbook"):])
engraver = any(shutil.which(p) for p in ("mscore3", "mscore4", "mscore", "musescore")) or shutil.which("lilypond")
ran = 0
for words in commands:
    text = " ".join(shlex.quote(w) for w in words)
    if any("path/to/" in w for w in words):
        print(f"readme: skipped (a placeholder path): {text}")
        continue
    if words[1] == "play":
        print(f"readme: skipped (needs a sound card or MIDI port): {text}")
        continue
    if words[1] == "render" and ((words[2].endswith(".musicxml") and not engraver)
                                 or (words[2].endswith(".mid") and not shutil.which("fluidsynth"))):
        print(f"readme: skipped (the tool it needs is not installed): {text}")
        continue
    target = None
    if ">" in words:  # `sketchbook motifs show take.mid > tune.tn`: the shell's redirection, done here
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    done = subprocess.run(words, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.exit(f"readme: `{text}` failed with exit code {done.returncode}: {done.stderr.strip()[-500:]}")
    if target is not None:
        Path(target).write_text(done.stdout, encoding="utf-8")
    ran += 1
print(f"readme: {ran} of {len(commands)} commands ran as written")
