"""One command run as a child process, measured as a person running it sees it: wall-clock time and peak memory.

The command is started by a small Python supervisor (:data:`SUPERVISOR`), itself a child of this
process, which forks it, waits for it with ``os.wait4`` and writes what that gives: the command's
time from fork to exit (its interpreter's start-up included) and its own peak resident set size.
The supervisor is there because a child's ``ru_maxrss`` starts at the resident size of the process
it was forked from: forked by the runner (tens of MB, hundreds after Wasmtime compiled cc1), every
command would seem at least that large; forked by the supervisor (about 10 MB), it is the command's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# ru_maxrss is in kilobytes on Linux, in bytes on macOS.
RSS_UNIT = 1 if sys.platform == "darwin" else 1024
# python -c SUPERVISOR REPORT COMMAND...: runs COMMAND, writes its status, seconds and ru_maxrss to REPORT.
SUPERVISOR = """
import json, os, sys, time
report, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(report, "w") as file:
    json.dump({"status": os.waitstatus_to_exitcode(status), "seconds": seconds, "maxrss": usage.ru_maxrss}, file)
"""


@dataclass(frozen=True)
class ProcessRun:
    status: int  # the exit status (a signal as its negative number, as subprocess gives it)
    seconds: float
    peak_rss_bytes: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False

    def failure(self) -> str | None:
        """Why the run failed (a time-out, an exit status other than 0), or None."""
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        if self.status != 0:
            lines = self.stderr.decode(errors="replace").strip().splitlines()
            return f"exit status {self.status}" + (f": {lines[-1][:200]}" if lines else "")
        return None


def run_process(
    command: list[str], *, cwd: Path, environment: dict[str, str], stdin: Path | None, timeout: float
) -> ProcessRun:
    """Run ``command`` in ``cwd`` with ``stdin`` (a file, or nothing) and its output captured; killed
    (with its supervisor) after ``timeout`` seconds."""
    with (
        tempfile.TemporaryDirectory(prefix="wasmrun-bench-process-") as scratch,
        tempfile.TemporaryFile() as stdout,
        tempfile.TemporaryFile() as stderr,
        open(stdin or os.devnull, "rb") as standard_input,
    ):
        report = Path(scratch) / "report.json"
        supervised = [sys.executable, "-c", SUPERVISOR, str(report), *command]
        process = subprocess.Popen(
            supervised, cwd=cwd, env=environment, stdin=standard_input, stdout=stdout, stderr=stderr,
            start_new_session=True,  # a process group of its own, so that a time-out ends the command too
        )  # fmt: skip
        try:
            process.wait(timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            timed_out = True
        stdout.seek(0)
        stderr.seek(0)
        if timed_out or not report.is_file():
            return ProcessRun(process.returncode, float(timeout), 0, stdout.read(), stderr.read(), timed_out)
        measured = json.loads(report.read_text())
        return ProcessRun(
            measured["status"], measured["seconds"], measured["maxrss"] * RSS_UNIT, stdout.read(), stderr.read()
        )
