"""The report library's API routes: /api/v1/reports, /api/v1/reindex and /api/v1/jobs.

A report's fields come from `Library.reports()` (bot/serve/library.py); `ReportOut` documents them
for /docs and lets further fields through (extra="allow"), so a new field needs a line in each.
"""
from __future__ import annotations

import asyncio

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import BotError
from .access import Access
from .errors import ApiError
from .service import Service
from .uploads import MAX_FILES_PER_UPLOAD, UploadRejected


class ReportOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "3f1c9a0b7d2e", "file": "中国智算中心行业发展现状.txt", "title": "中国智算中心行业发展现状",
        "status": "indexed", "reason": "", "format": "Text", "size": 5123, "pages": None, "sections": 6,
        "scope": "", "chunks": 24, "tables": 1, "indexed_at": 1767225600.0, "uploaded_by": "user:ann",
        "ocr_pages": None, "ocr_confidence": None}]})
    id: str
    file: str
    title: str
    status: str = Field(description="indexed | skipped (unreadable: `reason` says why) | pending (in corpus/, "
                                    "not indexed yet) | removed (gone from corpus/, still indexed)")
    reason: str = ""
    ocr_pages: list[int] | None = Field(default=None, description="Pages read by OCR (1-based); null when none was")
    ocr_confidence: float | None = Field(default=None, description="The OCR's mean confidence over those pages")


class ReportsOut(BaseModel):
    reports: list[ReportOut]


class JobAccepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"job": "9b2f61c0aa4e", "status": "queued",
                                                               "url": "/api/v1/jobs/9b2f61c0aa4e"}]})
    job: str
    status: str
    url: str


class JobFile(BaseModel):
    name: str
    stored: str
    status: str = Field(description="queued | indexed | deleted | failed")
    message: str


class JobOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "9b2f61c0aa4e", "kind": "upload", "who": "key#0", "status": "done", "progress": 1.0,
        "stage": "done", "files": [{"name": "2025年报告.docx", "stored": "2025年报告.docx", "status": "indexed",
                                    "message": "indexed"}], "message": "", "created": 1767225600.0,
        "finished": 1767225604.2}]})
    id: str
    kind: str
    status: str = Field(description="queued | running | done | failed")
    progress: float = Field(description="0.0 to 1.0")
    files: list[JobFile]
    message: str = ""


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                             "description": "One or more reports (PDF, .docx, .xlsx, HTML, text, Markdown, CSV)."}}}}}}}
JOB_202 = {202: {"description": "Queued: poll GET /api/v1/jobs/{job}", "model": JobAccepted}}


def add_library_routes(app: FastAPI, svc: Service, access: Access) -> None:
    lib = svc.library

    def accepted(job) -> JSONResponse:
        return JSONResponse({"job": job.id, "status": job.status, "url": f"/api/v1/jobs/{job.id}"}, status_code=202)

    @app.get("/api/v1/reports", tags=["library"], response_model=ReportsOut,
             summary="The reports in the library, with their index state")
    def list_reports(who: str = Depends(access.reader)):
        return {"reports": lib.reports(svc.assistant.index)}

    @app.post("/api/v1/reports", tags=["library"], status_code=202, responses=JOB_202, openapi_extra=UPLOAD_BODY,
              summary="Upload reports (admins): checked at once, indexed in the background")
    async def upload_reports(request: Request, who: str = Depends(access.admin)):
        limit = svc.settings.max_file_mb * 1_000_000
        length = request.headers.get("content-length")
        if limit and length and length.isdigit() and int(length) > limit * MAX_FILES_PER_UPLOAD + 1_000_000:
            raise ApiError(413, f"The upload is larger than {MAX_FILES_PER_UPLOAD} files of {svc.settings.max_file_mb:g} MB "
                                "(BOT_MAX_FILE_MB).", "upload_rejected")
        try:
            form = await request.form(max_files=MAX_FILES_PER_UPLOAD, max_fields=10)
        except StarletteHTTPException as err:
            raise ApiError(400, f"The upload could not be read: {err.detail}. Send multipart/form-data with "
                                f"up to {MAX_FILES_PER_UPLOAD} files in the field 'files'.", "upload_rejected") from None
        files = []
        try:
            for item in form.getlist("files"):
                if isinstance(item, str):
                    raise ApiError(400, "The field 'files' must hold files, not text.", "upload_rejected")
                data = await item.read(int(limit) + 1 if limit else -1)
                files.append((item.filename or "", data))
        finally:
            await form.close()
        try:
            job = await asyncio.get_running_loop().run_in_executor(None, lib.upload, files, who)
        except UploadRejected as err:
            raise ApiError(err.status, f"{err} — nothing from this upload was stored.", "upload_rejected") from None
        return accepted(job)

    @app.delete("/api/v1/reports/{rid}", tags=["library"], status_code=202, responses=JOB_202,
                summary="Delete a report (admins): removed from the index and corpus/ in the background")
    def delete_report(rid: str, who: str = Depends(access.admin)):
        try:
            return accepted(lib.delete(rid, who))
        except BotError as err:
            raise ApiError(404, str(err), "not_found") from None

    @app.post("/api/v1/reindex", tags=["library"], status_code=202, responses=JOB_202,
              summary="Re-index corpus/ (admins): picks up files added or removed by hand")
    def reindex(who: str = Depends(access.admin)):
        return accepted(lib.reindex(who))

    @app.get("/api/v1/jobs/{jid}", tags=["library"], response_model=JobOut,
             summary="An upload, delete or re-index job: status, progress and a message per file")
    def job_status(jid: str, who: str = Depends(access.admin)):
        job = lib.job(jid)
        if job is None:
            raise ApiError(404, f"No job '{jid}' (jobs are kept in memory until the server restarts).", "not_found")
        return job

    @app.get("/api/v1/jobs", tags=["library"], include_in_schema=False)
    def jobs(who: str = Depends(access.admin)):
        return {"jobs": lib.recent_jobs()}

