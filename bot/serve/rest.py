"""The REST API under /api/v1: health and ask (the JSON of `bot ask --json`)."""
from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from .access import Access
from .service import Service

MAX_HISTORY = 50
REPORTS_FIELD = dict(description="Report ids (or file names) from GET /api/v1/reports: answer only from these "
                                 "reports; a refusal then says which were searched. Omit for all reports.",
                     examples=[["3f1c9a0b7d2e"]])


class AskRequest(BaseModel):
    question: str = Field(description="The question, in Chinese or English.",
                          examples=["2024年我国智算中心行业市场规模是多少？"])
    history: list[str] = Field(default_factory=list, max_length=MAX_HISTORY,
                               description="Earlier user questions of the conversation, oldest first; "
                                           "lets follow-ups such as '增速呢？' resolve.")
    reports: list[str] | None = Field(default=None, max_length=1000, **REPORTS_FIELD)


class CitationOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    n: int
    report: str
    location: str
    quote: str
    attribution: str = ""
    page: int | None = None


class AskResponse(BaseModel):
    """The same JSON as `bot ask --json`."""

    model_config = ConfigDict(extra="allow")
    question: str
    standalone_question: str
    answer: str = Field(description="Markdown: figures in **bold**, citations [n], then the sources list.")
    refused: bool
    citations: list[CitationOut]
    figures: list[str]
    answerer: str
    lang: str
    table: dict | None = None
    chart: dict | None = None
    note: str = ""


def add_rest_routes(app: FastAPI, svc: Service, access: Access) -> None:
    @app.get("/api/v1/health", tags=["status"], summary="Index status (no key needed)")
    def health():
        status, info = svc.health()
        return JSONResponse(info, status_code=status, headers={"Retry-After": "5"} if status == 503 else None)

    @app.post("/api/v1/ask", tags=["REST"], response_model=AskResponse,
              summary="Ask a question; the answer with its figures and citations")
    async def ask(body: AskRequest, client: str = Depends(access.rate)):
        answer = await svc.answer(body.question, body.history, body.reports)
        return answer.to_json()
