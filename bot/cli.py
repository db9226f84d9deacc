"""`bot` command line: ingest, ask, eval, reports, serve, feedback.

Every `BotError` becomes one line on stderr and exit status 1 (2 for usage errors); no
tracebacks for problems a user can fix. Heavy imports (gradio, torch) stay out of `ask`.
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys

from .errors import BotError
from .settings import Settings


def _settings(args) -> Settings:
    return Settings().with_(corpus_dir=getattr(args, "corpus", None), index_dir=getattr(args, "index", None))


def cmd_ingest(args) -> int:
    from .ingest import ingest

    result = ingest(_settings(args), progress=None if not args.quiet else False)
    print(result.summary())
    return 1 if result.errors else 0


def _print_answer(answer, as_json: bool, extra: dict | None = None) -> None:
    if as_json:
        print(json.dumps({**(extra or {}), **answer.to_json()}, ensure_ascii=False), flush=True)
    else:
        print(answer.text + "\n", flush=True)


def cmd_ask(args) -> int:
    # A one-off question is mostly start-up: importing LangChain and Chroma and loading the
    # index make ~300,000 objects none of which die, and Python's collector would walk them all
    # several times over. Collect nothing until they are made, then set them aside for good.
    gc.disable()
    try:
        from .chain import Assistant
        from .lexical import look_up_lazily

        look_up_lazily()  # a question or two: jieba's words looked up, not its whole dictionary read

        assistant = Assistant(_settings(args), answerer=_answerer(args))
    finally:
        gc.freeze()
        gc.enable()
    if args.batch:
        return _ask_batch(assistant, args.batch)
    if not args.questions:
        raise BotError("No question given.", hint='Usage: bot ask "你的问题" ["追问" …]  (or --batch FILE.jsonl)')
    history: list[str] = []
    status = 0
    for q in args.questions:
        try:
            _print_answer(assistant.ask(q, history), args.json)
        except BotError as err:
            status = 1
            if args.json:
                print(json.dumps({"question": q, "error": str(err)}, ensure_ascii=False), flush=True)
            else:
                print(f"error: {err}", file=sys.stderr)
        history.append(q)
    return status


def _ask_batch(assistant, path: str) -> int:
    status = 0
    try:
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")
    except OSError as err:
        raise BotError(f"Cannot read {path}: {err.strerror}.", hint="Give a JSON-lines file of {\"id\", \"question\"}.") from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
                turns = case.get("turns") or [case["question"]]
            except (ValueError, KeyError, AttributeError, TypeError):
                print(json.dumps({"line": lineno, "error": "each line must be {\"id\", \"question\"} or {\"id\", \"turns\": [...]}"}),
                      flush=True)
                status = 1
                continue
            try:
                answer = None
                for i, turn in enumerate(turns):
                    answer = assistant.ask(turn, turns[:i])
                _print_answer(answer, True, {"id": case.get("id", lineno)})
            except BotError as err:
                status = 1
                print(json.dumps({"id": case.get("id", lineno), "error": str(err)}, ensure_ascii=False), flush=True)
    return status


def _answerer(args):
    settings = _settings(args)
    if not settings.llm:
        return None
    from .llm import make_answerer  # optional extra: bot[llm]

    return make_answerer(settings)


def cmd_eval(args) -> int:
    from .evaluate import run_eval

    report = run_eval(_settings(args), args.golden, answerer=_answerer(args), verbose=not (args.quiet or args.line))
    print(report.line(args.line) if args.line else report.summary())
    if args.json:
        report.write_json(args.json)
    return 0 if report.all_passed else 1


def cmd_reports(args) -> int:
    import json

    from .serve.library import Library

    rows = Library(_settings(args), recover=False).reports()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("no reports: put files in the corpus folder and run `bot ingest`")
    for r in rows:
        facts = [r["format"], f"{r['pages']} pages" if r.get("pages") else "",
                 f"{r['sections']} sections" if r.get("sections") else "",
                 f"{r['chunks']} chunks" if r.get("chunks") is not None else "",
                 f"{r['tables']} tables" if r.get("tables") is not None else "",
                 ocr_fact(r.get("ocr_pages"), r.get("ocr_confidence"))]
        print(f"{r['status']:8} {r['file']}")
        print(f"         title: {r['title']}" + (f" · scope: {r['scope']}" if r.get("scope") else ""))
        print("         " + ", ".join(f for f in facts if f) + (f"\n         why: {r['reason']}" if r["reason"] else ""))
    return 0


def ocr_fact(pages: list[int] | None, confidence: float | None) -> str:
    """"OCR pages 1-3, 7 (confidence 0.96)": which pages were read from images."""
    if not pages:
        return ""
    spans: list[list[int]] = []
    for n in sorted(pages):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    where = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return f"OCR pages {where}" + (f" (confidence {confidence:.2f})" if confidence is not None else "")


def cmd_serve(args) -> int:
    from .serve.app import serve

    serve(_settings(args), host=args.host, port=args.port)
    return 0


def cmd_feedback(args) -> int:
    from .serve.feedback import summary

    print(summary(Settings().with_(feedback_file=args.file)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bot", description="Answers questions about market-research reports with exact, cited figures.")
    sub = p.add_subparsers(dest="command", required=True)

    def paths(sp):
        sp.add_argument("--corpus", help="folder of reports (default: $BOT_CORPUS_DIR or corpus/)")
        sp.add_argument("--index", help="index folder (default: $BOT_INDEX_DIR or index/)")

    sp = sub.add_parser("ingest", help="build or update the index from the corpus folder")
    paths(sp)
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=cmd_ingest)

    sp = sub.add_parser("ask", help="ask questions; several are successive turns of one conversation")
    paths(sp)
    sp.add_argument("questions", nargs="*", help="the question, then any follow-ups")
    sp.add_argument("--json", action="store_true", help="one JSON object per turn per line")
    sp.add_argument("--batch", metavar="FILE.jsonl", help='lines {"id", "question"} or {"id", "turns": [...]}; "-" for stdin')
    sp.set_defaults(func=cmd_ask)

    sp = sub.add_parser("eval", help="run a golden set and print accuracy and latency")
    paths(sp)
    sp.add_argument("golden", help="JSON-lines golden set")
    sp.add_argument("-q", "--quiet", action="store_true", help="only the summary")
    sp.add_argument("--json", metavar="FILE", help="also write the summary and every case's result (answer, problems) as JSON")
    sp.add_argument("--line", metavar="NAME", help="print only one summary line, named NAME (a table of sets)")
    sp.set_defaults(func=cmd_eval)

    sp = sub.add_parser("reports", help="list the reports the index holds: title, scope, format, pages, chunks, tables, status")
    paths(sp)
    sp.add_argument("--json", action="store_true", help="as JSON (the same data as GET /api/v1/reports)")
    sp.set_defaults(func=cmd_reports)

    sp = sub.add_parser("serve", help="serve the chat, the REST API and the OpenAI-compatible API")
    paths(sp)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=7860)
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("feedback", help="summarise 👍/👎 votes and list thumbs-down answers")
    sp.add_argument("--file", help="feedback file (default: $BOT_FEEDBACK_FILE or feedback.jsonl)")
    sp.set_defaults(func=cmd_feedback)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
    except BotError as err:
        print(f"error: {err}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `bot eval … | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    if argv is None and args.func is cmd_ask:
        # `bot ask` only reads the index; tearing down the interpreter's ~300,000 objects one by
        # one takes longer than answering did. Flush what was printed and leave.
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # the reader left (`| head`) or the stream is closed
                pass
        os._exit(status)
    return status


if __name__ == "__main__":
    sys.exit(main())
