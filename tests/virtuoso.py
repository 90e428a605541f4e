"""A real Virtuoso (Debian's virtuoso-opensource 7) for the tests: its own data folder and ini, loopback ports.

`query_url` is its SPARQL 1.1 Protocol endpoint (open for reading), `store_url` its Graph Store Protocol
endpoint, which asks for HTTP Digest authentication (user `dba`, whose password a fresh database sets to
`dba`: the server listens on 127.0.0.1 only and lives as long as the test session).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import requests

from .conftest import stop_process

BINARY = "virtuoso-t"
USER = PASSWORD = "dba"

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = .
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}/vsp
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows      = 1000000
MaxQueryExecutionTime = 60
"""


def installed() -> str | None:
    return shutil.which(BINARY)


class VirtuosoServer:
    def __init__(self, workdir: Path, sql_port: int, http_port: int) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "vsp").mkdir(exist_ok=True)
        ini = workdir / "virtuoso.ini"
        ini.write_text(INI.format(dir=workdir, sql_port=sql_port, http_port=http_port), encoding="utf-8")
        self.url = f"http://127.0.0.1:{http_port}/"
        self.sql_port = sql_port
        self.query_url = self.url + "sparql"
        self.store_url = self.url + "sparql-graph-crud-auth"
        self.log_path = workdir / "virtuoso-stdout.log"
        self.log = open(self.log_path, "w")
        # -f: stay in the foreground, so that the tests own the process and can stop it.
        self.process = subprocess.Popen([installed() or BINARY, "-f", "-c", str(ini)], cwd=workdir,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_it_answers()

    def _wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + 120     # a new database is created and checkpointed first
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso exited: {self.log_path.read_text()}")
            try:
                if requests.get(self.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"virtuoso did not answer within 120 s: {self.log_path.read_text()[-2000:]}")

    def checkpoint(self) -> None:
        """Write what was loaded to disk now, so that no checkpoint pauses the queries that follow."""
        isql = shutil.which("isql-vt") or shutil.which("isql")
        if isql:
            subprocess.run([isql, f"127.0.0.1:{self.sql_port}", USER, PASSWORD, "exec=checkpoint;"],
                           capture_output=True, timeout=120)

    def stop(self) -> None:
        stop_process(self.process, self.log, seconds=30)    # Virtuoso writes a checkpoint as it stops
