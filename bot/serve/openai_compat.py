"""The OpenAI-compatible API under /v1: models, and chat completions plain or streamed (SSE)."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from .access import Access
from .errors import ApiError
from .rest import REPORTS_FIELD
from .service import Service

MODEL_ID = "bot"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, user, ...: accepted, ignored
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    reports: list[str] | None = Field(default=None, max_length=1000, **REPORTS_FIELD)


def _message_text(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict) and p.get("type", "text") == "text")


def add_openai_routes(app: FastAPI, svc: Service, access: Access) -> None:
    @app.get("/v1/models", tags=["OpenAI-compatible"], summary="The one model this server offers")
    def models(client: str = Depends(access.guard)):
        return {"object": "list", "data": [_model_card(svc.started)]}

    @app.get("/v1/models/{model_id}", tags=["OpenAI-compatible"], include_in_schema=False)
    def model(model_id: str, client: str = Depends(access.guard)):
        if model_id != MODEL_ID:
            raise ApiError(404, f"The model '{model_id}' does not exist; this server offers '{MODEL_ID}'.",
                           "invalid_request_error")
        return _model_card(svc.started)

    @app.post("/v1/chat/completions", tags=["OpenAI-compatible"],
              summary="Chat completion: the last user message is the question, earlier ones its history")
    async def chat_completions(body: ChatRequest, client: str = Depends(access.rate)):
        questions = [_message_text(m) for m in body.messages if m.role == "user"]
        if not questions:
            raise ApiError(400, "messages holds no message with role 'user'; the last user message is the question.",
                           "invalid_request_error")
        answer = await svc.answer(questions[-1], questions[:-1], body.reports)
        cid = "chatcmpl-" + uuid.uuid4().hex
        created = int(time.time())
        extra = _answer_extras(answer)
        if body.stream:
            return StreamingResponse(_sse(cid, created, answer, extra), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return {
            "id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                         "finish_reason": "stop", "logprobs": None}],
            **extra,
        }


def _model_card(created: int) -> dict:
    return {"id": MODEL_ID, "object": "model", "created": created, "owned_by": "bot"}


def _answer_extras(answer) -> dict:
    data = answer.to_json()
    return {k: data.get(k) for k in ("citations", "figures", "refused", "table", "chart")}


def _pieces(text: str, size: int = 48) -> list[str]:
    """The answer in small pieces along line breaks, for a streamed reply."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        out += [line[i:i + size] for i in range(0, len(line), size)] or [line]
    return out


def _sse(cid: str, created: int, answer, extra: dict):
    def event(delta: dict, finish: str | None = None, more: dict | None = None) -> str:
        chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **(more or {})}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in _pieces(answer.text):
        yield event({"content": piece})
    yield event({}, "stop", extra)
    yield "data: [DONE]\n\n"

