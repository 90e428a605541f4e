"""docs/authoring.md, run as written: every `sh` block in order, in a copy of the project, as a user would.

A block marked `<!-- exit 1 -->` must fail, and the `text` block after it shows lines of what it prints. The
server the tutorial starts listens on a free port instead of 8080.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from .conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "authoring.md"
BLOCK = re.compile(r"(<!-- exit 1 -->\n)?```sh\n(.*?)```(?:\n\n```text\n(.*?)```)?", re.S)


def test_the_authoring_tutorial_runs_from_lodpub_new_to_the_page(tmp_path):
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    port = str(free_port())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "LODPUB_CACHE_DIR": str(tmp_path / "cache"), "PYTHONUNBUFFERED": "1"}
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    commands = "".join(code for _, code, _ in blocks)
    for step in ("lodpub new harbor-memo", "lodpub draft harbor-memo", "lodpub validate", "lodpub build",
                 "lodpub serve"):
        assert step in commands
    for fails, code, shown in blocks:
        process = subprocess.Popen(["bash", "-e", "-c", code.replace("8080", port)], cwd=tmp_path, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        try:
            out, err = process.communicate(timeout=300)
        finally:
            try:
                os.killpg(process.pid, signal.SIGTERM)   # the server, if a step failed before stopping it
            except ProcessLookupError:
                pass
        if fails:
            assert process.returncode == 1, (code, out, err)
            for line in shown.strip().split("\n"):
                assert line in err, (line, err)
        else:
            assert process.returncode == 0, (code, out, err[-3000:])
    assert (tmp_path / "dist" / "dumps" / "lodpub-rdf12.trig").exists()
