"""Start-up patches of dependencies, each applied only to the release it was written for.

A patch is applied only to
the release line and attributes it was written for; anything else gets the unpatched path and a
log line saying why (a new release never breaks an answer, it only costs start-up time).

The patches (what each saves on a cold `bot ask` is in the README):
- "chromadb": chromadb decorates ~170 methods with `overrides.override`, which checks signatures
  as each class is built; store.py reduces it to the `__override__` marker it sets.
- "jieba": a one-off process looks jieba's words up in an SQLite copy of its dictionary instead of
  reading all of it (lexical.py), and skips jieba.posseg's full tag load at import.

BOT_UNPATCHED=chromadb,jieba (or `all`) turns patches off, e.g. to measure them.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("bot.startup")


def _jieba_attrs(jieba) -> list[tuple[object, str]]:
    return [(jieba, "dt"), (getattr(jieba, "dt", None), "FREQ"), (getattr(jieba, "dt", None), "total"),
            (getattr(jieba, "dt", None), "initialized"), (getattr(jieba, "dt", None), "get_dict_file"),
            (jieba, "Tokenizer"), (getattr(jieba, "Tokenizer", None), "gen_pfdict"),
            (getattr(jieba, "Tokenizer", None), "get_dict_file")]


def _overrides_attrs(overrides) -> list[tuple[object, str]]:
    import overrides.enforce as enforce

    return [(overrides, "override"), (overrides, "overrides"), (enforce, "EnforceOverrides")]


# patch -> (distribution, release line it was written for, the attributes it replaces or relies on)
EXPECTED = {
    "chromadb": ("overrides", "7.", _overrides_attrs),
    "jieba": ("jieba", "0.42.", _jieba_attrs),
}
_reported: set[str] = set()


def _version(dist: str, module) -> str:
    """The installed release of `dist`: the module's own __version__, else the name of the
    dist-info folder beside it (cheaper than importlib.metadata, which a cold start would pay)."""
    version = getattr(module, "__version__", None)
    if version:
        return str(version)
    site = Path(getattr(module, "__file__", "") or ".").resolve().parent.parent
    for info in sorted(site.glob(f"{dist}-*.dist-info")):
        return info.name[len(dist) + 1:-len(".dist-info")]
    import importlib.metadata

    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def may_patch(name: str, module) -> bool:
    """Whether patch `name` may be applied to `module` (logged once per process when not)."""
    off = {p.strip() for p in os.environ.get("BOT_UNPATCHED", "").lower().split(",") if p.strip()}
    if name in off or "all" in off:
        return False
    dist, line, attrs = EXPECTED[name]
    version = _version(dist, module)
    why = ""
    if not version.startswith(line):
        why = f"{dist} {version} is not the {line}x release line the patch was written for"
    else:
        missing = [attr for owner, attr in attrs(module) if owner is None or not hasattr(owner, attr)]
        if missing:
            why = f"{dist} {version} lacks {', '.join(missing)}"
    if why:
        if name not in _reported:
            _reported.add(name)
            log.warning("start-up patch '%s' not applied: %s; using %s unpatched (slower start, same answers)",
                        name, why, dist)
        return False
    return True
