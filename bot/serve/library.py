"""The report library's jobs: uploads, deletes and re-indexes run one at a time, and the report list.

`Library` runs ingest jobs (upload, delete, re-index) one at a time on a background thread and
lists the reports; what an upload must pass first is in bot/serve/uploads.py.

How an upload stays all-or-nothing. The checked bytes are written into corpus/ under a hidden
name (`.upload-<job>-<n>`; ingest skips dot-files, so the CLI never sees them). The job then
ingests a *staged corpus*: a folder of symlinks to every corpus file plus the new files under
their final names, indexed into the same index folder (same lock, same incremental reuse, same
atomic build swap). Only after that build is committed are the hidden files renamed to their
final names, in one `os.replace` each. A failed or killed ingest never moves the CURRENT pointer,
so corpus/ and the index stay as they were; leftover hidden files are removed at the next start.
A delete stages the corpus without the file and removes it only once the new build is committed.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import BotError
from ..readers import is_candidate
from ..settings import Settings
from .uploads import FORMAT_LABELS, MAX_FILES_PER_UPLOAD, UploadRejected, check_upload, report_id, unique_name

log = logging.getLogger("bot.library")

JOBS_KEPT = 200
UPLOAD_PREFIX = ".upload-"

# -- jobs ------------------------------------------------------------------------------------
@dataclass
class FileStatus:
    name: str  # as uploaded (or the report's file, for a delete)
    stored: str = ""  # the file name in corpus/
    status: str = "queued"  # queued | indexed | deleted | failed
    message: str = ""


@dataclass
class Job:
    id: str
    kind: str  # upload | delete | reindex
    who: str
    status: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    stage: str = "queued"
    files: list[FileStatus] = field(default_factory=list)
    message: str = ""
    created: float = field(default_factory=time.time)
    finished: float | None = None
    temps: list[Path] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("temps")
        data["progress"] = round(self.progress, 2)
        return data


class Library:
    """The corpus folder as a library: reports listed with their index state, and ingest jobs
    (uploads, deletes, re-index) run one at a time by a background thread.

    `on_commit()` is called after a job commits a new build and before the job reports done, so
    a server can swap its index in; a job that is `done` is being answered from."""

    def __init__(self, settings: Settings, on_commit=None, *, recover: bool = True):
        self.settings = settings
        self.on_commit = on_commit
        self.jobs: dict[str, Job] = {}
        self._lock = threading.RLock()
        self._queue: "queue.Queue[Job]" = queue.Queue()
        self._worker: threading.Thread | None = None
        self.state_dir = settings.index_dir / "library"
        self.audit_file = self.state_dir / "audit.jsonl"
        if recover:  # not for a reader beside a running server (`bot reports`): its jobs are live
            self._recover()

    # -- submitting ------------------------------------------------------------------------
    def upload(self, files: list[tuple[str, bytes]], who: str) -> Job:
        """Check every file (UploadRejected for the first problem, nothing written), then write
        them hidden into corpus/ and queue their ingest."""
        if not files:
            raise UploadRejected("upload", "no file was sent; send one or more in the multipart field 'files'")
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise UploadRejected("upload", f"{len(files)} files at once; the limit is {MAX_FILES_PER_UPLOAD}", 413)
        names = [check_upload(raw, data, self.settings.max_file_mb) for raw, data in files]
        job = Job(id=uuid.uuid4().hex[:12], kind="upload", who=who,
                  files=[FileStatus(name=raw, stored=name) for (raw, _), name in zip(files, names)])
        corpus = self._corpus()
        for i, (_, data) in enumerate(files):
            temp = corpus / f"{UPLOAD_PREFIX}{job.id}-{i}"
            with open(temp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            job.temps.append(temp)
        return self._submit(job, [f.stored for f in job.files])

    def delete(self, rid: str, who: str) -> Job:
        name = self.file_of(rid)
        if name is None:
            raise BotError(f"No report with the id '{rid}'.", hint="GET /api/v1/reports lists the ids.")
        return self._submit(Job(id=uuid.uuid4().hex[:12], kind="delete", who=who,
                                files=[FileStatus(name=name, stored=name)]), [name])

    def reindex(self, who: str) -> Job:
        return self._submit(Job(id=uuid.uuid4().hex[:12], kind="reindex", who=who), [])

    def job(self, jid: str) -> dict | None:
        with self._lock:
            job = self.jobs.get(jid)
            return job.to_json() if job else None

    def recent_jobs(self, n: int = 20) -> list[dict]:
        with self._lock:
            return [j.to_json() for j in list(self.jobs.values())[-n:]]

    def wait(self, jid: str, timeout: float) -> dict | None:
        """The job once it has finished, or as it is after `timeout` seconds (for the CLI and tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.job(jid)
            if data is None or data["status"] in ("done", "failed"):
                return data
            time.sleep(0.05)
        return self.job(jid)

    def _submit(self, job: Job, names: list[str]) -> Job:
        with self._lock:
            self.jobs[job.id] = job
            while len(self.jobs) > JOBS_KEPT:
                oldest = next(iter(self.jobs))
                if self.jobs[oldest].status not in ("done", "failed"):
                    break
                del self.jobs[oldest]
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, daemon=True, name="bot-library")
                self._worker.start()
        self._audit(job, "queued", names)
        self._queue.put(job)
        return job

    # -- the worker ------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._queue.get()
            self._set(job, status="running", progress=0.05, stage="checking")
            try:
                {"upload": self._run_upload, "delete": self._run_delete, "reindex": self._run_reindex}[job.kind](job)
            except BotError as err:
                self._fail(job, str(err))
            except Exception as err:  # noqa: BLE001 - a job fails, the worker keeps going
                log.exception("library job %s failed", job.id)
                self._fail(job, f"internal error ({type(err).__name__}); the server log has the details")
            finally:
                for temp in job.temps:
                    temp.unlink(missing_ok=True)
                self._audit(job, job.status, [f.stored for f in job.files])

    def _run_upload(self, job: Job) -> None:
        corpus = self._corpus()
        taken = set(self._corpus_files())
        stage = self._stage(job, skip=set())
        try:
            for f, temp in zip(job.files, job.temps):
                f.stored = unique_name(f.stored, taken)
                taken.add(f.stored)
                os.symlink(temp.resolve(), stage / f.stored)
            errors = self._ingest(job, stage)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        manifest = self._manifest()
        indexed = set(manifest.files) if manifest else set()
        for f, temp in zip(job.files, job.temps):
            if f.stored in indexed:
                os.replace(temp, corpus / f.stored)
                f.status, f.message = "indexed", "indexed"
                self._remember(f.stored, by=job.who)
            else:
                f.status = "failed"
                f.message = errors.get(f.stored) or "it was not indexed"
        self._commit()
        failed = [f for f in job.files if f.status == "failed"]
        if len(failed) == len(job.files):
            self._fail(job, "; ".join(f"{f.name}: {f.message}" for f in failed))
        else:
            self._done(job)

    def _run_delete(self, job: Job) -> None:
        target = job.files[0].stored
        stage = self._stage(job, skip={target})
        try:
            self._ingest(job, stage)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        (self._corpus() / target).unlink(missing_ok=True)
        self._forget(target)
        job.files[0].status, job.files[0].message = "deleted", "removed from the library and the index"
        self._commit()
        self._done(job)

    def _run_reindex(self, job: Job) -> None:
        self._ingest(job, self._corpus())
        self._commit()
        self._done(job)

    def _ingest(self, job: Job, corpus: Path) -> dict[str, str]:
        """Ingest `corpus` into the index; {file: why} for the files it could not read."""
        from ..ingest import ingest

        self._set(job, progress=0.2, stage="indexing")
        notes: list[str] = []
        result = ingest(self.settings.with_(corpus_dir=corpus), progress=False, log=notes.append)
        errors = {}
        names = sorted(self._names_in(corpus), key=len, reverse=True)
        for line in result.errors:
            name = next((n for n in names if line.startswith(n + ":")), None)
            if name:
                errors[name] = line[len(name) + 1:].strip()
        self._save_skipped(errors, names)
        self._set(job, progress=0.9, stage="switching")
        return errors

    def _commit(self) -> None:
        if self.on_commit is not None:
            self.on_commit()

    def _stage(self, job: Job, skip: set[str]) -> Path:
        """A folder of symlinks to the corpus files (less `skip`): what ingest reads for a job."""
        stage = self.state_dir / "stage" / job.id
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir(parents=True)
        corpus = self._corpus().resolve()
        for name in self._corpus_files():
            if name in skip:
                continue
            link = stage / name
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(corpus / name, link)
        return stage

    # -- state -----------------------------------------------------------------------------
    def _set(self, job: Job, **changes) -> None:
        with self._lock:
            for key, value in changes.items():
                setattr(job, key, value)

    def _done(self, job: Job) -> None:
        self._set(job, status="done", progress=1.0, stage="done", finished=time.time(),
                  message="; ".join(f"{f.name}: {f.message}" for f in job.files if f.status == "failed"))

    def _fail(self, job: Job, message: str) -> None:
        for f in job.files:
            if f.status == "queued":
                f.status, f.message = "failed", message
        self._set(job, status="failed", progress=1.0, stage="failed", finished=time.time(), message=message)

    def _audit(self, job: Job, event: str, names: list[str]) -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "who": job.who, "action": job.kind, "event": event,
                 "job": job.id, "files": names, "message": job.message}
        log.warning("library: %s %s %s by %s: %s %s", job.kind, event, job.id, job.who, names, job.message)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.audit_file, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _state(self) -> dict:
        try:
            return json.loads((self.state_dir / "state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        temp = self.state_dir / "state.json.tmp"
        temp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temp, self.state_dir / "state.json")

    def _remember(self, name: str, by: str) -> None:
        with self._lock:
            state = self._state()
            state.setdefault("files", {})[name] = {"indexed_at": time.time(), "by": by}
            self._write_state(state)

    def _forget(self, name: str) -> None:
        with self._lock:
            state = self._state()
            state.get("files", {}).pop(name, None)
            state.get("skipped", {}).pop(name, None)
            self._write_state(state)

    def _save_skipped(self, errors: dict[str, str], names: list[str]) -> None:
        with self._lock:
            state = self._state()
            skipped = {k: v for k, v in state.get("skipped", {}).items() if k not in names}
            state["skipped"] = {**skipped, **errors}
            self._write_state(state)

    def _recover(self) -> None:
        """Remove what a killed job left: hidden upload files and staged corpora (the index
        itself needs nothing: an uncommitted build is never pointed at)."""
        corpus = self.settings.corpus_dir
        if corpus.is_dir():
            for temp in corpus.glob(UPLOAD_PREFIX + "*"):
                log.warning("library: removing %s, left by an upload that did not finish", temp.name)
                temp.unlink(missing_ok=True)
        shutil.rmtree(self.state_dir / "stage", ignore_errors=True)

    def _corpus(self) -> Path:
        corpus = self.settings.corpus_dir
        corpus.mkdir(parents=True, exist_ok=True)
        return corpus

    def _corpus_files(self) -> list[str]:
        return self._names_in(self.settings.corpus_dir)

    @staticmethod
    def _names_in(corpus: Path) -> list[str]:
        if not corpus.is_dir():
            return []
        return sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if is_candidate(p))

    def _manifest(self):
        from ..store import open_store

        return open_store(self.settings).current()

    # -- listing ---------------------------------------------------------------------------
    def file_of(self, rid: str) -> str | None:
        manifest = self._manifest()
        names = set(self._corpus_files()) | set(manifest.files if manifest else ())
        return next((n for n in names if report_id(n) == rid or n == rid), None)

    def reports(self, index=None) -> list[dict]:
        """Every report in corpus/ or in the index, with its index state.

        status: indexed; skipped (ingest could not read it: `reason` says why); pending (in corpus/
        but not indexed yet, e.g. copied there by hand: re-index to add it); removed (indexed, but
        the file is gone from corpus/: re-index to drop it)."""
        manifest = self._manifest()
        indexed = manifest.files if manifest else {}
        state = self._state()
        pages: dict[str, int] = {}
        # page counts come from the loaded chunks (the manifest does not keep them)
        same_build = index is not None and manifest is not None and index.manifest.build == manifest.build
        for c in index.chunks if same_build else ():
            if c.page:
                pages[c.file] = max(pages.get(c.file, 0), c.page)
        corpus = self.settings.corpus_dir
        out = []
        for name in sorted(set(self._corpus_files()) | set(indexed)):
            path = corpus / name
            info = indexed.get(name)
            on_disk = path.is_file()
            if info and on_disk:
                status, reason = "indexed", ""
            elif info:
                status, reason = "removed", "the file is no longer in the corpus folder; re-index to drop it"
            elif name in state.get("skipped", {}) or name in (manifest.skipped if manifest else {}):
                status, reason = "skipped", state.get("skipped", {}).get(name) or manifest.skipped[name]
            else:
                status, reason = "pending", "not indexed yet; re-index to add it"
            seen = state.get("files", {}).get(name, {})
            out.append({
                "id": report_id(name), "file": name, "title": (info or {}).get("title") or Path(name).stem,
                "status": status, "reason": reason,
                "format": FORMAT_LABELS.get(path.suffix.lower(), path.suffix.lstrip(".").upper() or "?"),
                "size": path.stat().st_size if on_disk else None,
                "pages": (info or {}).get("pages") or pages.get(name),
                "sections": (info or {}).get("sections"), "scope": (info or {}).get("scope", ""),
                "chunks": (info or {}).get("chunks"), "tables": (info or {}).get("tables"),
                "indexed_at": (seen.get("indexed_at") or manifest.created) if info else None,
                "uploaded_by": seen.get("by"),
                # pages read by OCR and their mean confidence, as ingest recorded them (absent: none)
                "ocr_pages": list((info or {}).get("ocr_pages") or []) or None,
                "ocr_confidence": (info or {}).get("ocr_confidence") if (info or {}).get("ocr_pages") else None,
            })
        return out
