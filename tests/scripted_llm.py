"""A small OpenAI-compatible (and Ollama-compatible) chat server on 127.0.0.1 with scripted replies,
for driving the real ChatOpenAI / ChatOllama client code in tests. Standard library only.

    with ScriptedLLM() as llm:                       # starts on a free port
        llm.push("规模为**1014亿元** [1]。")           # next request gets this reply
        llm.push(Reply("…", hang=30))                 # then one that hangs (until close())
        llm.respond = lambda req: "…"                 # or: a function of the request, used when
                                                      # the queue is empty
        os.environ["OPENAI_BASE_URL"] = llm.base_url  # http://127.0.0.1:<port>/v1
        ...
        llm.requests[-1].system / .user / .messages   # what the client sent

Endpoints: POST /v1/chat/completions (plain JSON, or server-sent events when "stream": true),
GET /v1/models, POST /api/chat (Ollama: NDJSON stream, or one JSON object with "stream": false).
A reply is a str or a `Reply` (which can also hang, trickle or fail with an HTTP status). With nothing scripted the
server answers HTTP 500, so a test never passes on an unplanned call.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    text: str = ""
    hang: float = 0.0  # seconds to wait before answering (cut short by close())
    delay: float = 0.0  # seconds between streamed pieces
    piece: int = 3  # characters per streamed piece
    status: int = 200  # anything else: an error response with `text` as the message
    hang_after: int | None = None  # when streaming: hang after this many pieces


@dataclass
class Request:
    path: str
    body: dict
    headers: dict = field(default_factory=dict)

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages", [])

    def _role(self, role: str) -> str:
        return "\n".join(_content(m) for m in self.messages if m.get("role") == role)

    @property
    def system(self) -> str:
        return self._role("system")

    @property
    def user(self) -> str:
        return self._role("user")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream", self.path == "/api/chat"))


def _content(message: dict) -> str:
    content = message.get("content", "")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


class ScriptedLLM:
    def __init__(self, model: str = "scripted"):
        self.model = model
        self.queue: deque = deque()
        self.respond: Callable[[Request], str | Reply] | None = None
        self.requests: list[Request] = []
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="scripted-llm", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What OPENAI_BASE_URL should be."""
        return f"{self.url}/v1"

    def push(self, *replies: str | Reply) -> "ScriptedLLM":
        self.queue.extend(replies)
        return self

    def next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            reply = self.queue.popleft() if self.queue else None
        if reply is None and self.respond is not None:
            reply = self.respond(request)
        if reply is None:
            return Reply("no scripted reply for this request", status=500)
        return reply if isinstance(reply, Reply) else Reply(str(reply))

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "ScriptedLLM":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _handler(llm: ScriptedLLM):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            if self.path.rstrip("/") == "/v1/models":
                return self._json(200, {"object": "list", "data": [{"id": llm.model, "object": "model",
                                                                    "created": 0, "owned_by": "tests"}]})
            self._json(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self._json(400, {"error": {"message": "invalid JSON"}})
            path = self.path.split("?")[0].rstrip("/")
            if path not in ("/v1/chat/completions", "/api/chat"):
                return self._json(404, {"error": {"message": f"no route {self.path}"}})
            request = Request(path, body, dict(self.headers))
            reply = llm.next_reply(request)
            if reply.hang and llm.closing.wait(reply.hang):
                return
            if reply.status != 200:
                return self._json(reply.status, {"error": {"message": reply.text, "type": "scripted"}})
            model = body.get("model", llm.model)
            if path == "/api/chat":
                return self._ollama(reply, model, request.stream)
            if request.stream:
                return self._openai_stream(reply, model)
            self._json(200, {
                "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

        # -- responses
        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _pieces(self, reply: Reply):
            text, size = reply.text, max(1, reply.piece)
            for i, start in enumerate(range(0, len(text), size)):
                if reply.hang_after is not None and i == reply.hang_after:
                    llm.closing.wait(3600)
                if llm.closing.is_set():
                    return
                if reply.delay:
                    time.sleep(reply.delay)
                yield text[start:start + size]

        def _chunked(self, content_type: str):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

            def send(data: str) -> None:
                raw = data.encode()
                self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
                self.wfile.flush()
            return send

        def _openai_stream(self, reply: Reply, model: str) -> None:
            send = self._chunked("text/event-stream")

            def event(delta: dict, finish=None) -> None:
                chunk = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()),
                         "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                send(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n")
            try:
                event({"role": "assistant", "content": ""})
                for piece in self._pieces(reply):
                    event({"content": piece})
                event({}, "stop")
                send("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _ollama(self, reply: Reply, model: str, stream: bool) -> None:
            def message(content: str, done: bool) -> dict:
                out = {"model": model, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "message": {"role": "assistant", "content": content}, "done": done}
                if done:
                    out.update(done_reason="stop", total_duration=1, load_duration=1, prompt_eval_count=1,
                               prompt_eval_duration=1, eval_count=1, eval_duration=1)
                return out
            if not stream:
                return self._json(200, message(reply.text, True))
            send = self._chunked("application/x-ndjson")
            try:
                for piece in self._pieces(reply):
                    send(json.dumps(message(piece, False), ensure_ascii=False) + "\n")
                send(json.dumps(message("", True)) + "\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
