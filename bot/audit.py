"""Audit the installed distributions against known vulnerabilities (`make audit`, issue 14).

Where PyPI's per-release JSON API answers, pip-audit does the looking up. Where it does not (the
build machines reach the package index but not that API or OSV), or when a snapshot is named
(`--db` / `AUDIT_DB`), every distribution installed in this interpreter's environment is matched
against a local snapshot of OSV records: a directory or a tar archive of `.yaml`/`.json` files,
such as the PyPA advisory database.

A finding fails the audit unless `audit-allow.toml` lists it with the reason it does not apply
here and a review date; once that date has passed the finding fails again until someone looks.

    python -m bot.audit [--db PATH] [--fallback-db PATH] [--allow audit-allow.toml]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Iterator

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from bot.errors import BotError

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
PROBE_TIMEOUT_S = 3.0
PYPI_JSON = "https://pypi.org/pypi"   # the per-release JSON API pip-audit's default service asks


class AuditError(BotError):
    """The audit could not run (bad allowlist, unreadable snapshot, nothing to audit against)."""


@dataclass(frozen=True)
class Affected:
    """One `affected` entry of an OSV record, for one package."""

    package: str                      # PEP 503 normalised
    ranges: tuple[tuple[tuple[str, str], ...], ...] = ()   # each range: ((event kind, version), ...)
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    affected: tuple[Affected, ...]


@dataclass(frozen=True)
class Dist:
    name: str                         # PEP 503 normalised
    version: str


@dataclass(frozen=True)
class Finding:
    id: str
    aliases: tuple[str, ...]
    package: str
    version: str
    fixed: tuple[str, ...]            # versions that fix it, lowest first; empty when none is known
    summary: str = ""

    def names(self) -> set[str]:
        return {self.id.upper(), *(a.upper() for a in self.aliases)}


@dataclass(frozen=True)
class Allowance:
    id: str
    package: str
    reason: str
    review_by: dt.date


@dataclass
class Snapshot:
    source: str
    advisories: dict[str, list[Advisory]] = field(default_factory=dict)   # by package
    records: int = 0
    withdrawn: int = 0
    newest: str = ""                  # newest `modified` date up to today: how current the snapshot is
    future: int = 0                   # records dated after today (bad data; not the snapshot's date)


@dataclass(frozen=True)
class Verdict:
    finding: Finding
    allowance: Allowance | None
    expired: bool

    @property
    def fails(self) -> bool:
        return self.allowance is None or self.expired


# ---------------------------------------------------------------- version matching (OSV schema)

_RELEASE = re.compile(r"v?(\d+(?:\.\d+)*)")


def _version(text: str, lenient: bool = False) -> Version | None:
    """The public version `text` names. A local label (`2.13.0+cpu`) marks a build of that
    release, so it is dropped; records written outside PEP 440 (`2.6.0-cu124`, `2.6.0-NA`) are
    read by their leading release numbers (`lenient`) when they bound a range, since ignoring the
    bound would widen it; listed versions are matched exactly."""
    try:
        v = Version(text)
    except InvalidVersion:
        m = _RELEASE.match(text.strip()) if lenient else None
        if not m:
            return None
        v = Version(m.group(1))
    return Version(v.public) if v.local else v


def _in_range(installed: Version, events: Iterable[tuple[str, str]]) -> bool:
    """OSV's evaluation of one ECOSYSTEM range: walk the events in version order; `introduced`
    opens the affected span, `fixed` and `limit` close it at that version, `last_affected`
    closes it just after."""
    parsed: list[tuple[Version, int, str]] = []
    for kind, text in events:
        v = Version("0") if kind == "introduced" and text == "0" else _version(text, lenient=True)
        if v is None:
            if kind != "introduced":
                continue              # an unreadable end leaves the span open: a finding to review
            v = Version("0")          # and an unreadable start opens it from the beginning
        parsed.append((v, 0 if kind == "introduced" else 1, kind))
    affected = False
    for v, _, kind in sorted(parsed):
        if kind == "introduced" and installed >= v:
            affected = True
        elif kind in ("fixed", "limit") and installed >= v:
            affected = False
        elif kind == "last_affected" and installed > v:
            affected = False
    return affected


def affects(entry: Affected, version: str) -> bool:
    installed = _version(version)
    for listed in entry.versions:
        if listed == version or (installed is not None and _version(listed) == installed):
            return True
    if installed is None:
        return False
    return any(_in_range(installed, events) for events in entry.ranges)


def fixed_versions(entries: Iterable[Affected], version: str) -> tuple[str, ...]:
    installed = _version(version)
    found = {text for e in entries for events in e.ranges for kind, text in events
             if kind == "fixed" and (v := _version(text, lenient=True)) is not None
             and (installed is None or v > installed)}
    return tuple(sorted(found, key=lambda t: _version(t, lenient=True)))


def findings_for(dists: Iterable[Dist], snapshot: Snapshot) -> list[Finding]:
    found = []
    for dist in dists:
        for adv in snapshot.advisories.get(dist.name, ()):
            entries = [e for e in adv.affected if e.package == dist.name]
            if any(affects(e, dist.version) for e in entries):
                found.append(Finding(adv.id, adv.aliases, dist.name, dist.version,
                                     fixed_versions(entries, dist.version), adv.summary))
    return found


# ---------------------------------------------------------------- reading OSV records

def parse_record(data: dict) -> Advisory | None:
    """An `Advisory` for the PyPI packages a record names; None for a withdrawn record."""
    if data.get("withdrawn"):
        return None
    entries = []
    for aff in data.get("affected") or ():
        pkg = aff.get("package") or {}
        if str(pkg.get("ecosystem", "")).split(":")[0] != "PyPI" or not pkg.get("name"):
            continue
        ranges = tuple(
            tuple((kind, str(value)) for event in r.get("events") or () for kind, value in event.items())
            for r in aff.get("ranges") or () if r.get("type") in ("ECOSYSTEM", "SEMVER"))
        entries.append(Affected(canonicalize_name(pkg["name"]), ranges,
                                tuple(str(v) for v in aff.get("versions") or ())))
    summary = data.get("summary") or (data.get("details") or "").split("\n")[0]
    return Advisory(str(data["id"]), tuple(str(a) for a in data.get("aliases") or ()),
                    " ".join(summary.split())[:160], tuple(entries))


def _raw_records(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if file.suffix in RECORD_SUFFIXES and file.is_file():
                yield file.name, file.read_bytes()
        return
    # Read members in memory: nothing from the archive is ever written to disk.
    with tarfile.open(path) as archive:
        for member in archive:
            if member.isfile() and member.name.endswith(RECORD_SUFFIXES):
                yield member.name, archive.extractfile(member).read()


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # the C loader is ~10x faster
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MODIFIED = re.compile(rb"""["']?modified["']?\s*:\s*["']?([0-9][0-9T:.+\-Z]*)""")


def _mentions(raw: bytes, names: set[str]) -> bool:
    # Parsing every YAML record takes seconds; a record that nowhere spells an installed name
    # (in any PEP 503 spelling) cannot affect it, so only the others are parsed.
    text = re.sub(r"[-_.]+", "-", raw.decode("utf-8", "replace").lower())
    return not names.isdisjoint(_TOKEN.findall(text))


def load_snapshot(path: Path, names: set[str] | None = None, today: dt.date | None = None) -> Snapshot:
    """Records of the snapshot at `path`; with `names`, only those that could affect them."""
    if not path.exists():
        raise AuditError(f"advisory snapshot {path} does not exist.",
                         hint="Point AUDIT_DB at a directory or .tar.gz of OSV records.")
    snap = Snapshot(str(path))
    try:
        for name, raw in _raw_records(path):
            snap.records += 1
            if m := _MODIFIED.search(raw):
                day = m.group(1).decode()[:10]
                if today and day > today.isoformat():
                    snap.future += 1
                elif day > snap.newest:
                    snap.newest = day
            if names is not None and not _mentions(raw, names):
                continue
            data = json.loads(raw) if name.endswith(".json") else yaml.load(raw, Loader=_LOADER)
            if not isinstance(data, dict) or "id" not in data:
                continue
            adv = parse_record(data)
            if adv is None:
                snap.withdrawn += 1
                continue
            for pkg in {e.package for e in adv.affected}:
                snap.advisories.setdefault(pkg, []).append(adv)
    except (tarfile.TarError, OSError, yaml.YAMLError, json.JSONDecodeError) as err:
        raise AuditError(f"cannot read advisory snapshot {path}: {err}") from err
    if snap.records == 0:
        raise AuditError(f"advisory snapshot {path} holds no OSV records (.yaml/.json files).")
    return snap



# ---------------------------------------------------------------- what is installed

def installed() -> tuple[list[Dist], list[str]]:
    """Distributions of this interpreter's environment, and the editable ones left out (the
    project itself is not on PyPI; an advisory for a same-named package would not be about it)."""
    dists, editable = {}, []
    for d in metadata.distributions():
        name = d.metadata["Name"]
        if not name:
            continue
        direct = d.read_text("direct_url.json")
        if direct and json.loads(direct).get("dir_info", {}).get("editable"):
            editable.append(f"{name} {d.version}")
            continue
        dists[(canonicalize_name(name), d.version)] = Dist(canonicalize_name(name), d.version)
    return sorted(dists.values(), key=lambda d: d.name), editable


# ---------------------------------------------------------------- allowlist

def load_allowlist(path: Path) -> list[Allowance]:
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise AuditError(f"{path}: {err}") from err
    allowed = []
    for i, entry in enumerate(data.get("allow", []), 1):
        missing = [k for k in ("id", "package", "reason", "review_by") if not entry.get(k)]
        if missing:
            raise AuditError(f"{path}: allowance {i} lacks {', '.join(missing)}.",
                             hint="Each [[allow]] needs id, package, reason and review_by (a date).")
        if not isinstance(entry["review_by"], dt.date) or isinstance(entry["review_by"], dt.datetime):
            raise AuditError(f"{path}: allowance {entry['id']}: review_by must be a TOML date "
                             f"(review_by = 2027-01-31), not {entry['review_by']!r}.")
        allowed.append(Allowance(str(entry["id"]), canonicalize_name(entry["package"]),
                                 " ".join(str(entry["reason"]).split()), entry["review_by"]))
    return allowed


def judge(findings: Iterable[Finding], allowed: list[Allowance], today: dt.date) -> list[Verdict]:
    verdicts = []
    for f in findings:
        match = next((a for a in allowed if a.package == f.package and a.id.upper() in f.names()), None)
        verdicts.append(Verdict(f, match, match is not None and match.review_by < today))
    return verdicts


# ---------------------------------------------------------------- pip-audit, where PyPI answers

def pypi_answers(dist: Dist, timeout: float = PROBE_TIMEOUT_S, base: str = PYPI_JSON) -> bool:
    """Whether PyPI's per-release JSON API (the one pip-audit asks) answers for `dist`. Only a
    real release document counts: a proxy that serves the index but 404s these pages would make
    pip-audit skip every package and report nothing."""
    url = f"{base}/{dist.name}/{dist.version}/json"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            doc = json.load(resp)
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and "info" in doc and "vulnerabilities" in doc


def pip_audit_findings(run: Callable[[list[str]], str] | None = None) -> tuple[list[Finding], list[str]]:
    """Findings from pip-audit over this environment, and the packages it could not audit."""
    cmd = [sys.executable, "-m", "pip_audit", "--skip-editable", "--format", "json", "--progress-spinner", "off"]
    if run is None:
        def run(cmd: list[str]) -> str:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=1800).stdout
    out = run(cmd)
    try:
        doc = json.loads(out)
    except json.JSONDecodeError as err:
        raise AuditError(f"pip-audit gave no report: {out[-500:]!r}") from err
    findings, skipped = [], []
    for dep in doc.get("dependencies", []):
        if dep.get("skip_reason"):
            skipped.append(f"{dep['name']}: {dep['skip_reason']}")
        for v in dep.get("vulns", []):
            fixed = tuple(sorted(v.get("fix_versions") or (), key=lambda t: _version(t) or Version("0")))
            findings.append(Finding(v["id"], tuple(v.get("aliases") or ()), canonicalize_name(dep["name"]),
                                    dep["version"], fixed, " ".join((v.get("description") or "").split())[:160]))
    return findings, skipped


# ---------------------------------------------------------------- report

def describe(v: Verdict) -> str:
    f = v.finding
    aliases = f" ({', '.join(f.aliases)})" if f.aliases else ""
    fix = f"fixed in {', '.join(f.fixed)}" if f.fixed else "no fixed version"
    line = f"{f.id}{aliases} {f.package} {f.version}: {fix}"
    if v.allowance is None:
        return f"FINDING  {line} - {f.summary}"
    if v.expired:
        return (f"EXPIRED  {line} - allowed until {v.allowance.review_by}, that review date has passed: "
                f"check it again and renew or remove the entry in audit-allow.toml")
    return f"allowed  {line} - until {v.allowance.review_by}: {v.allowance.reason}"


def summarise(verdicts: list[Verdict], allowed: list[Allowance]) -> list[str]:
    lines = [describe(v) for v in verdicts]
    used = {id(v.allowance) for v in verdicts if v.allowance}
    lines += [f"unused   allowance {a.id} ({a.package}) matched no finding: remove it from audit-allow.toml"
              for a in allowed if id(a) not in used]
    failing = sum(v.fails for v in verdicts)
    lines.append(f"audit: {len(verdicts)} finding(s), {len(verdicts) - failing} allowed, {failing} failing")
    return lines


def audit_offline(db: Path, allow: Path, today: dt.date, out: Callable[[str], None] = print) -> int:
    dists, editable = installed()
    snap = load_snapshot(db, {d.name for d in dists}, today)
    try:
        age = f"{(today - dt.date.fromisoformat(snap.newest)).days} days old"
    except ValueError:
        age = "age unknown"
    future = f"; {snap.future} record(s) dated after today not counted" if snap.future else ""
    out(f"audit: offline against {snap.source}: {snap.records} records, snapshot date "
        f"{snap.newest or 'unknown'} (its newest record{future}), {age}; "
        f"advisories published since then are not known here")
    out(f"audit: {len(dists)} distributions checked"
        + (f" (editable, not audited: {', '.join(editable)})" if editable else "")
        + f"; {snap.withdrawn} withdrawn record(s) naming them skipped")
    allowed = load_allowlist(allow)
    verdicts = judge(findings_for(dists, snap), allowed, today)
    for line in summarise(verdicts, allowed):
        out(line)
    return 1 if any(v.fails for v in verdicts) else 0


def audit_online(allow: Path, today: dt.date, out: Callable[[str], None] = print,
                 run: Callable[[list[str]], str] | None = None) -> int:
    dists, editable = installed()
    out(f"audit: pip-audit against PyPI's vulnerability data (live, {today})")
    findings, skipped = pip_audit_findings(run)
    if dists and len(skipped) >= len(dists):
        raise AuditError(f"pip-audit could look up none of the {len(dists)} distributions ({skipped[0]}).")
    out(f"audit: {len(dists)} distributions checked"
        + (f" (editable, not audited: {', '.join(editable)})" if editable else "")
        + (f"; {len(skipped)} not found on PyPI and not audited" if skipped else ""))
    for s in skipped:
        out(f"skipped  {s}")
    allowed = load_allowlist(allow)
    verdicts = judge(findings, allowed, today)
    for line in summarise(verdicts, allowed):
        out(line)
    return 1 if any(v.fails for v in verdicts) else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.audit", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path, default=os.environ.get("AUDIT_DB") or None,
                   help="OSV snapshot (directory or tar archive) to use instead of pip-audit [env AUDIT_DB]")
    p.add_argument("--fallback-db", type=Path, default=None,
                   help="OSV snapshot to use when PyPI's vulnerability API does not answer")
    p.add_argument("--allow", type=Path, default=Path("audit-allow.toml"))
    args = p.parse_args(argv)
    today = dt.date.today()
    try:
        if args.db:
            return audit_offline(args.db, args.allow, today)
        probe = next((d for d in installed()[0] if d.name == "pip"), Dist("pip", "24.0"))
        if pypi_answers(probe):
            try:
                return audit_online(args.allow, today)
            except (AuditError, subprocess.TimeoutExpired) as err:
                if not args.fallback_db:
                    raise
                print(f"audit: pip-audit failed ({err}); using the local snapshot")
        elif args.fallback_db:
            print(f"audit: PyPI gave no release document (what pip-audit reads) within {PROBE_TIMEOUT_S:g} s; "
                  "using the local snapshot")
        if not args.fallback_db:
            raise AuditError("PyPI's vulnerability API does not answer and no snapshot is given.",
                             hint="Run with AUDIT_DB=path/to/osv-snapshot (a directory or .tar.gz).")
        return audit_offline(args.fallback_db, args.allow, today)
    except AuditError as err:
        print(f"audit: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
