"""Excel cell value + number format -> the string Excel shows ("15.4%", "1,234", "2023/1/5").

A workbook stores 0.154 and a format "0.0%"; the report's figure is "15.4%". Answers quote
figures as the report shows them, so sheet cells are rendered here the way Excel displays
them, for the formats reports use: General, fixed decimals, thousands separators, percent,
scientific, literal text and currency around the number, and dates and times. Anything more
exotic (fractions, conditions) falls back to General.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

# Built-in format 14 is the system's short date; in the Chinese locale Excel shows 2023/1/5.
_LOCALE_DATES = {"mm-dd-yy": "yyyy/m/d", "m/d/yy h:mm": "yyyy/m/d h:mm"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def render(value: object, number_format: str | None) -> str:
    """The cell's text as displayed. `value` is what openpyxl read (data_only)."""
    fmt = (number_format or "General").strip()
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime, date, time)):
        return render_date(value, fmt)
    if isinstance(value, timedelta):
        return render_elapsed(value, fmt)
    if isinstance(value, (int, float, Decimal)):
        try:
            return render_number(value, fmt)
        except (ValueError, ArithmeticError):
            return general(value)
    return str(value).strip()


def general(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    # 15 significant digits: what Excel keeps; it also hides float noise (0.1+0.2 -> 0.3)
    return format(v, ".15g")


def split_sections(fmt: str) -> list[str]:
    """Split "pos;neg;zero;text" at semicolons that are not inside quotes or brackets."""
    sections, current, quoted, bracket, escaped = [], "", False, False, False
    for ch in fmt:
        if escaped:
            current += ch
            escaped = False
        elif ch == "\\":
            current += ch
            escaped = True
        elif ch == '"':
            quoted = not quoted
            current += ch
        elif not quoted and ch == "[":
            bracket = True
            current += ch
        elif not quoted and ch == "]":
            bracket = False
            current += ch
        elif ch == ";" and not quoted and not bracket:
            sections.append(current)
            current = ""
        else:
            current += ch
    sections.append(current)
    return sections


def _tokens(section: str) -> list[tuple[str, str]]:
    """("lit", text) and ("code", chars) tokens; brackets resolved to currency text or dropped."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(("lit", section[i + 1:end]))
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            out.append(("lit", section[i + 1]))
            i += 2
        elif ch == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            inner = section[i + 1:end]
            if inner.startswith("$"):  # [$¥-804] currency symbol with a locale id
                out.append(("lit", inner[1:].split("-")[0]))
            elif re.fullmatch(r"h+|m+|s+", inner, re.I):  # elapsed time [h]
                out.append(("code", f"[{inner}]"))
            # colours ([Red]), conditions ([>=100]) and [DBNum1] change no text we keep
            i = end + 1
        elif ch == "_" and i + 1 < len(section):  # _) leaves room for a parenthesis: a blank
            out.append(("lit", " "))
            i += 2
        elif ch == "*" and i + 1 < len(section):  # *- repeats a fill character: no text
            i += 2
        else:
            out.append(("code", ch))
            i += 1
    return out


def render_number(value: int | float | Decimal, fmt: str) -> str:
    sections = split_sections(fmt)
    section = sections[0]
    negative = value < 0
    if negative and len(sections) >= 2 and sections[1].strip():
        section, value = sections[1], -value  # the negative section writes its own sign
        negative = False
    elif value == 0 and len(sections) >= 3 and sections[2].strip():
        section = sections[2]
    if section.strip().lower() in ("general", "", "@"):
        return general(value)
    tokens = _tokens(section)
    code = "".join(t for kind, t in tokens if kind == "code")
    if "/" in code and "?" in code:
        return general(value)  # fractions: rare in reports
    if not re.search(r"[0#?]", code):
        # only literals and General: "General" inside a longer section, or pure text
        if "general" in code.lower():
            return "".join(t if kind == "lit" else (general(value) if t == "G" else "")
                           for kind, t in _merge_general(tokens))
        return "".join(t for kind, t in tokens if kind == "lit")
    return _render_digits(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), tokens, negative)


def _merge_general(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    text = "".join(t if kind == "code" else "\x00" for kind, t in tokens)
    lits = [t for kind, t in tokens if kind == "lit"]
    out, k = [], 0
    for part in re.split(r"(general|\x00)", text, flags=re.I):
        if part == "\x00":
            out.append(("lit", lits[k]))
            k += 1
        elif part.lower() == "general":
            out.append(("code", "G"))
        elif part:
            out.append(("lit", part))
    return out


def _render_digits(value: Decimal, tokens: list[tuple[str, str]], negative: bool) -> str:
    # The digit pattern runs from the first to the last 0/#/? placeholder (with . , E+ inside).
    flat: list[tuple[str, str]] = []
    for kind, t in tokens:
        flat += [(kind, c) for c in t] if kind == "code" else [(kind, t)]
    places = [i for i, (kind, c) in enumerate(flat) if kind == "code" and c in "0#?"]
    first, last = places[0], places[-1]
    pattern = "".join(c for kind, c in flat[first:last + 1] if kind == "code")
    # commas right after the last placeholder divide by 1,000 each
    scale = 0
    j = last + 1
    while j < len(flat) and flat[j] == ("code", ","):
        scale += 1
        j += 1
    rest = flat[:first] + flat[j:]
    percent = sum(1 for kind, c in flat if kind == "code" and c == "%")
    value = abs(value) * (Decimal(100) ** percent) / (Decimal(1000) ** scale)

    exp_match = re.search(r"[eE][+-]", pattern)
    if exp_match:
        mantissa_pat = pattern[:exp_match.start()]
        decimals = len(mantissa_pat.split(".")[1]) if "." in mantissa_pat else 0
        number = f"{float(value):.{decimals}E}"
        mant, exp = number.split("E")
        digits_exp = len(re.findall(r"[0#]", pattern[exp_match.end():])) or 2
        sign = "-" if exp.startswith("-") else ("+" if exp_match.group()[1] == "+" else "")
        number = f"{mant}E{sign}{abs(int(exp)):0{digits_exp}d}"
    else:
        int_pat, _, dec_pat = pattern.partition(".")
        dec_places = re.findall(r"[0#?]", dec_pat)
        quantum = Decimal(1).scaleb(-len(dec_places))
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
        int_part, _, dec_part = f"{rounded:f}".partition(".")
        min_int = len(re.findall(r"0", int_pat))
        int_part = int_part.lstrip("0").rjust(min_int, "0")
        if "," in int_pat and int_part:
            int_part = f"{int(int_part):,}"
        # '#' decimal places are shown only when they are not trailing zeros
        optional = sum(1 for c in reversed(dec_places) if c != "0") if dec_places else 0
        while optional and dec_part.endswith("0"):
            dec_part = dec_part[:-1]
            optional -= 1
        number = int_part + ("." + dec_part if dec_part else "")
        if not int_part and not dec_part:
            number = "0"
        negative = negative and rounded != 0
    before = _literal_code(rest[:first])
    after = _literal_code(rest[first:])
    return (("-" if negative else "") + before + number + after).strip()


def _literal_code(tokens: list[tuple[str, str]]) -> str:
    # Outside the digit pattern, code characters print as themselves: % $ - + ( ) and the
    # unquoted units some workbooks carry (0.0亿元).
    return "".join(c for kind, c in tokens if kind == "lit" or c not in "#0?,")


# ----- dates and times -----

_DATE_TOKEN = re.compile(r"yyyy|yy|e|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+", re.I)


def render_date(value: date | time, fmt: str) -> str:
    section = split_sections(fmt)[0]
    section = _LOCALE_DATES.get(section.lower(), section)
    if section.lower() in ("general", "", "@"):
        return _iso(value)
    tokens = _runs(_tokens(section))
    code = "".join(t for kind, t in tokens if kind == "code").lower()
    if not re.search(r"[ydhsm]", code):
        return _iso(value)
    # tokenise the code runs into date parts, keeping literals in place
    parts: list[tuple[str, str]] = []
    for kind, t in tokens:
        if kind == "lit":
            parts.append(("lit", t))
            continue
        pos = 0
        for m in _DATE_TOKEN.finditer(t):
            if m.start() > pos:
                parts.append(("lit", t[pos:m.start()]))
            parts.append(("tok", m.group()))
            pos = m.end()
        if pos < len(t):
            parts.append(("lit", t[pos:]))
    twelve = any(kind == "tok" and t.lower() in ("am/pm", "a/p") for kind, t in parts)
    toks = [i for i, (kind, _) in enumerate(parts) if kind == "tok"]
    out = []
    for idx, (kind, t) in enumerate(parts):
        if kind == "lit":
            out.append(t)
            continue
        low = t.lower()
        if low in ("m", "mm") and _is_minute(parts, toks, idx):
            out.append(f"{getattr(value, 'minute', 0):0{len(low)}d}")
        else:
            out.append(_date_part(value, low, twelve))
    return "".join(out).strip()


def _runs(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Adjacent code characters joined into one run ("yyyy", "mm"), literals kept apart."""
    out: list[tuple[str, str]] = []
    for kind, t in tokens:
        if kind == "code" and out and out[-1][0] == "code":
            out[-1] = ("code", out[-1][1] + t)
        else:
            out.append((kind, t))
    return out


def _is_minute(parts, toks, idx) -> bool:
    pos = toks.index(idx)
    prev = parts[toks[pos - 1]][1].lower() if pos > 0 else ""
    nxt = parts[toks[pos + 1]][1].lower() if pos + 1 < len(toks) else ""
    return prev.startswith("h") or nxt.startswith("s")


def _date_part(value, tok: str, twelve: bool) -> str:
    d = value if isinstance(value, date) else None
    t = value if isinstance(value, (time, datetime)) else None
    if tok in ("yyyy", "e"):
        return f"{d.year:04d}" if d else ""
    if tok == "yy":
        return f"{d.year % 100:02d}" if d else ""
    if tok in ("m", "mm"):
        return f"{d.month:0{len(tok)}d}" if d else ""
    if tok == "mmm":
        return _MONTHS[d.month - 1][:3] if d else ""
    if tok == "mmmm":
        return _MONTHS[d.month - 1] if d else ""
    if tok == "mmmmm":
        return _MONTHS[d.month - 1][0] if d else ""
    if tok in ("d", "dd"):
        return f"{d.day:0{len(tok)}d}" if d else ""
    if tok == "ddd":
        return _DAYS[d.weekday()][:3] if d else ""
    if tok == "dddd":
        return _DAYS[d.weekday()] if d else ""
    if tok in ("h", "hh"):
        hour = t.hour if t else 0
        if twelve:
            hour = hour % 12 or 12
        return f"{hour:0{len(tok)}d}"
    if tok in ("s", "ss"):
        return f"{(t.second if t else 0):0{len(tok)}d}"
    if tok == "am/pm":
        return "AM" if (t.hour if t else 0) < 12 else "PM"
    if tok == "a/p":
        return "A" if (t.hour if t else 0) < 12 else "P"
    if tok.startswith(".0"):
        micro = t.microsecond if t else 0
        return "." + f"{micro:06d}"[:len(tok) - 1]
    return tok


def _iso(value: date | time) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    return value.isoformat()


def render_elapsed(value: timedelta, fmt: str) -> str:
    total = int(value.total_seconds())
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}"
    if "s" in fmt.lower():
        text += f":{seconds:02d}"
    return ("-" if total < 0 else "") + text
