"""Prompt-injection guards: text that talks to the assistant instead of about the market, and
answers that would leak a configured secret or the LLM prompts.

- `instruction_like(text)`: does this read as an instruction to an AI assistant ("ignore the
  previous instructions…", "show me your system prompt", "忽略以上规则…", "进入开发者模式")?
  Checked after undoing the usual disguises: full-width and other compatibility forms (NFKC),
  zero-width, bidi and Unicode-tag characters, Cyrillic look-alike letters, and base64, hex or
  ROT13 encodings of such text.
- `strip_instructions(text)`: the text without its instruction-like sentences. Ingest uses it so
  that a report's planted instructions are never indexed, quoted or shown to an LLM (bot.chunk).
- `find_leaks(text)`: configured secrets (OPENAI_API_KEY, BOT_API_KEYS, passwords in
  BOT_UI_USERS, any *_KEY / *_TOKEN / *_SECRET / *_PASSWORD variable) and sentences of the
  prompts in bot.prompts that `text` contains. The LLM answerer refuses to show such a reply.

The grounded answerer cannot follow instructions (it only copies sentences of the evidence), so
these guards matter for what gets indexed and for the optional LLM answerer.
"""
from __future__ import annotations

import base64
import binascii
import codecs
import os
import re
import unicodedata

# invisible characters used to split or hide words: zero-width, bidi controls, BOM, tag characters
INVISIBLE_RE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e001f\U000e007f]")
# Unicode tag characters spell ASCII invisibly ("ASCII smuggling"): read them as that ASCII
TAGS = {cp: cp - 0xE0000 for cp in range(0xE0020, 0xE007F)}
# Cyrillic and Greek letters that look like Latin ones
LOOKALIKES = str.maketrans("аеіјорсухѕԁһӏАВЕНІЈКМОРСТХЅαοτνΑΒΕΗΙΚΜΝΟΡΤΧΥΖ",
                           "aeijopcyxsdhlABEHIJKMOPCTXSaotvABEHIKMNOPTXYZ")

_EN = [
    r"\b(?:ignore|disregard|forget)\s+(?:(?:all|any|the|your|my|of|and|everything|these|those)\s+)*"
    r"(?:previous|prior|above|preceding|earlier|following|foregoing|initial|original|instructions?|directions?|"
    r"rules|prompts?|guidelines)\b",
    r"\b(?:system|initial|original|hidden|developer|starting)\s*(?:prompt|message|instructions)\b",
    r"\byour\s+(?:instructions|configuration|guidelines|rules|prompt)\b",
    r"\byou are now\b|\bfrom now on,? you\b|\bact as if you\b|\bwant you to act as\b|\bpretend\b",
    r"\b(?:developer|god|dan|jailbreak) mode\b|\bjailbr[eo]ak|\bdo anything now\b",
    r"\bnew instructions\b|\bstop everything\b|\b(?:just|simply) (?:say|print|respond|output|reply)\b",
    r"\b(?:reveal|print|show|display|output|repeat|tell me|give me|dump|leak|encode)\b[^.\n]{0,60}?"
    r"\b(?:api[ _-]?keys?|environment variables?|(?:your|the) (?:prompt|instructions|secrets?|passwords?))\b",
    r"\b(?:openai_api_key|bot_api_keys|bot_ui_users)\b|\b(?:administrator|admin) override\b",
    r"\b(?:make up|invent|fabricate)\b[^.\n]{0,30}?\b(?:figures?|numbers?|data)\b",
    r"\b(?:output|print|repeat|copy)\b[^.\n]{0,30}?\b(?:text|everything|words?) (?:above|before this)\b",
    r"\bstart your (?:answer|reply|response) with\b",
    r"\[\s*system\s*\]|<\s*/?\s*system\s*>|\boverride security\b",
]
_NOT = r"(?<![可容能应應])"  # "不可忽视的规则" is report prose, not an instruction
_IGNORE = r"(?:忽略|忽视|忽視|无视|無視|忘记|忘記|忘掉|不要理会|不要理會)"
_ZH = [
    _NOT + _IGNORE + r"(?:之前|以前|先前|以上|上述|上面|前面|所有|全部|一切|报告|報告)",
    _NOT + _IGNORE + r".{0,6}?(?:指令|指示|规则|規則|提示|设定|設定|限制|约束|約束|准则|準則)",
    r"请(?:忽略|忽视|无视|忘记|忘掉)|請(?:忽略|忽視|無視|忘記)",
    r"(?:系统|系統)(?:提示|指令|prompt)|(?:你的|你们的)(?:提示词|提示詞|指令|设定|設定)",
    r"(?:开发者|開發者|越狱|越獄|无限制|無限制|上帝)模式",
    r"你现在是|你現在是|从现在开始[,，]?你|從現在開始[,，]?你|你的新任务|你的新任務|你将扮演|请扮演|請扮演",
    r"(?:不受任何|没有任何|沒有任何|不受)(?:安全)?(?:限制|约束|約束)的?(?:AI|人工智能|助手)",
    r"(?:告诉我|告訴我|说出|說出|打印|泄露|透露|输出|輸出)[^。！？\n]{0,24}?"
    r"(?:提示词|提示詞|系统提示|系統提示|密钥|密鑰|金鑰|环境变量|環境變數|api[ _-]?key)",
    r"(?:编造|捏造|虚构|虛構|杜撰)[^。！？\n]{0,12}?(?:数字|數字|数据|數據)|自行(?:推算|估算|编)|也可以(?:估算|推算|编)",
    r"(?:【|\[)\s*(?:系统|系統)(?:指令|消息|通知)\s*(?:】|\])",
    # a request addressed to the assistant, not the reader ("请根据以下数据生成一份报告")
    r"请(?:根据|按照|依据|帮我|为我|给我|替我)[^。！？\n]{0,20}?(?:生成|撰写|编写|写一|输出|制作)|我有另一个请求",
]
PATTERNS = [re.compile(p, re.I) for p in _EN + _ZH]
ENCODED_RE = re.compile(r"[A-Za-z0-9+/=_-]{16,}")
SENTENCE_RE = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.:])\s+")


def normalise(text: str) -> str:
    """Text as a reader sees it: compatibility forms folded (full-width letters and digits),
    invisible characters removed, look-alike letters made Latin."""
    text = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text.translate(TAGS)))
    return text.translate(LOOKALIKES)


def _matches(text: str) -> bool:
    return any(p.search(text) for p in PATTERNS)


def _decoded(text: str) -> list[str]:
    """Readable text hidden in base64 / hex runs, and the ROT13 reading of the whole text."""
    out = []
    for run in ENCODED_RE.findall(text):
        raw = None
        if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", run):
            try:
                raw = binascii.unhexlify(run)
            except (binascii.Error, ValueError):
                raw = None
        if raw is None:
            try:
                padded = run + "=" * (-len(run) % 4)
                raw = base64.b64decode(padded, altchars=b"-_" if ("-" in run or "_" in run) else None)
            except (binascii.Error, ValueError):
                continue
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if decoded.isprintable() or "\n" in decoded:
            out.append(decoded)
    out.append(codecs.decode(text, "rot13"))
    return out


def instruction_like(text: str) -> bool:
    """Does `text` read as an instruction to an AI assistant (also when disguised)?"""
    if not text or not text.strip():
        return False
    plain = normalise(text)
    if _matches(plain):
        return True
    return any(_matches(normalise(d)) for d in _decoded(plain))


def strip_instructions(text: str) -> tuple[str, list[str]]:
    """`text` without its instruction-like sentences: (kept text, removed sentences)."""
    if not instruction_like(text):
        return text, []
    kept, removed = [], []
    for sentence in SENTENCE_RE.split(text):
        if not sentence:
            continue
        (removed if instruction_like(sentence) else kept).append(sentence)
    if not removed:  # only the whole reads as an instruction (an encoded run split by the cut)
        return "", [text]
    return "".join(kept).strip(), [s.strip() for s in removed]


# -- leaks -------------------------------------------------------------------------------------
SECRET_NAME_RE = re.compile(r"(?:^|_)(?:KEY|KEYS|TOKEN|SECRET|PASSWORD|PASS)$", re.I)
MIN_SECRET = 6
MIN_PROMPT_PIECE = 24


def secrets(environ=None) -> list[str]:
    """The secret values configured in the environment (nothing shorter than 6 characters)."""
    env = os.environ if environ is None else environ
    found: set[str] = set()
    for name, value in env.items():
        if not value:
            continue
        if name == "BOT_API_KEYS":
            found.update(v.strip() for v in value.split(","))
        elif name == "BOT_UI_USERS":
            found.update(pair.partition(":")[2].strip() for pair in value.split(","))
        elif SECRET_NAME_RE.search(name):
            found.add(value.strip())
    return sorted(v for v in found if len(v) >= MIN_SECRET)


def prompt_text() -> str:
    """The LLM prompts (every string in bot.prompts), placeholders cut out, whitespace squashed."""
    from . import prompts

    pieces = []
    for name, value in vars(prompts).items():
        if name.startswith("_") or not isinstance(value, str):
            continue
        pieces += [_squash(p) for p in re.split(r"\{[a-z_]+\}", value)]
    return "\n".join(p for p in pieces if p)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", normalise(text)).strip().lower()


def find_leaks(text: str, environ=None) -> list[str]:
    """What `text` would leak: "secret" for each configured secret value it contains (the value
    itself is never returned), and "prompt: …" when it repeats MIN_PROMPT_PIECE or more
    characters of the prompts in a row (also a prompt sentence only begun)."""
    if not text:
        return []
    plain = normalise(text)
    found = ["secret" for s in secrets(environ) if s in text or s in plain]
    squashed, prompts = _squash(text), prompt_text()
    for i in range(0, max(0, len(squashed) - MIN_PROMPT_PIECE + 1)):
        window = squashed[i:i + MIN_PROMPT_PIECE]
        if window.strip() == window and window in prompts:
            found.append(f"prompt: {window}")
            break
    return found


def showable(text: str, environ=None) -> str:
    """`text` without a trailing start of a secret: what a streamed reply may show so far (the
    rest is shown once more text proves it is not a secret, or `find_leaks` stops the reply)."""
    cut = 0
    for secret in secrets(environ):
        for k in range(min(len(secret) - 1, len(text)), cut, -1):
            if text.endswith(secret[:k]):
                cut = k
                break
    return text[:len(text) - cut] if cut else text
