"""`bot ingest` in a subprocess that stops at each stage it announces (BOT_INGEST_STAGES, see
bot/ingest.py): tests wait for a stage, then kill it there or let it go on. Every wait is on
a condition with a bound, never on how fast this machine is."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

STAGES = ("files-read", "embeddings-written", "manifest-written", "pointer-swapped")
BOUND = 600.0  # seconds: generous for a loaded machine; reaching it is a failure, not a pass


class HeldIngest:
    def __init__(self, folder: Path, corpus: Path, *, index: Path | None = None, env: dict | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True)
        (self.folder / "stages").touch()
        args = [sys.executable, "-m", "bot.cli", "ingest", "--corpus", str(corpus), "-q"]
        if index is not None:
            args += ["--index", str(index)]
        self.stderr = open(self.folder / "stderr.txt", "wb")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.stderr,
                                     env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {}),
                                          "BOT_INGEST_STAGES": str(self.folder)})

    def stages(self) -> list[str]:
        return (self.folder / "stages").read_text(encoding="utf-8").split()

    def log(self) -> str:
        if not self.stderr.closed:
            self.stderr.flush()
        return (self.folder / "stderr.txt").read_text(encoding="utf-8", errors="replace")[-3000:]

    def wait_for(self, stage: str, times: int = 1) -> float:
        """Block until the ingest has announced `stage` `times` times; returns when that was seen."""
        deadline = time.monotonic() + BOUND
        while self.stages().count(stage) < times:
            if self.proc.poll() is not None:
                raise AssertionError(f"ingest exited ({self.proc.returncode}) before {stage}: {self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"ingest did not reach {stage} within {BOUND:g} s: {self.log()}")
            time.sleep(0.01)
        return time.monotonic()

    def release(self, *stages: str) -> float:
        for stage in stages:
            (self.folder / f"go-{stage}").touch()
        return time.monotonic()

    def release_all(self) -> None:
        self.release(*STAGES, "lease-busy")

    def kill(self) -> list[str]:
        """SIGKILL; returns the stages it had announced. It cannot have finished on its own:
        the last stage is never released before a kill."""
        assert self.proc.poll() is None, f"ingest ended by itself ({self.proc.returncode}): {self.log()}"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.stderr.close()
        return self.stages()

    def finish(self) -> int:
        self.release_all()
        try:
            code = self.proc.wait(timeout=BOUND)
        finally:
            self.stderr.close()
        return code
