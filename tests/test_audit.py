"""`make audit` offline (bot/audit.py): OSV records matched against installed versions, and the
allowlist that lets a finding pass only with a reason and an unexpired review date."""

import datetime as dt
import http.server
import json
import tarfile
import threading
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from bot import audit

TODAY = dt.date.today()


def record(id_, name, *, ranges=(), versions=(), aliases=(), withdrawn=None, summary="a flaw"):
    data = {"id": id_, "modified": "2026-01-02T03:04:05Z", "aliases": list(aliases), "summary": summary,
            "affected": [{"package": {"name": name, "ecosystem": "PyPI"},
                          "ranges": [{"type": "ECOSYSTEM", "events": list(r)} for r in ranges],
                          "versions": list(versions)}]}
    if withdrawn:
        data["withdrawn"] = withdrawn
    return data


def write_db(root: Path, *records) -> Path:
    for i, rec in enumerate(records):
        folder = root / "vulns" / rec["affected"][0]["package"]["name"]
        folder.mkdir(parents=True, exist_ok=True)
        if i % 2:  # OSV snapshots come as YAML (PyPA) or JSON (osv.dev); read both
            (folder / f"{rec['id']}.json").write_text(json.dumps(rec))
        else:
            (folder / f"{rec['id']}.yaml").write_text(yaml.safe_dump(rec))
    return root


def findings(tmp_path, dists, *records):
    snap = audit.load_snapshot(write_db(tmp_path / "db", *records))
    return audit.findings_for([audit.Dist(n, v) for n, v in dists], snap)


def ids(found):
    return sorted((f.id, f.package, f.version) for f in found)


# ---------------------------------------------------------------- matching

def test_introduced_fixed_range_covers_only_the_versions_between(tmp_path):
    rec = record("PYSEC-1", "demo", ranges=[[{"introduced": "1.2"}, {"fixed": "1.4.1"}]])
    for version, hit in [("1.1.9", False), ("1.2", True), ("1.4.0", True), ("1.4.1rc1", True),
                         ("1.4.1", False), ("2.0", False)]:
        assert bool(findings(tmp_path / version, [("demo", version)], rec)) is hit, version


def test_last_affected_includes_that_version_and_not_the_next(tmp_path):
    rec = record("PYSEC-2", "demo", ranges=[[{"introduced": "0"}, {"last_affected": "3.0.2"}]])
    assert findings(tmp_path / "a", [("demo", "3.0.2")], rec)
    assert not findings(tmp_path / "b", [("demo", "3.0.3")], rec)


def test_several_ranges_and_the_fixed_version_that_follows_the_installed_one(tmp_path):
    rec = record("PYSEC-3", "demo", ranges=[[{"introduced": "0"}, {"fixed": "1.5"}],
                                            [{"introduced": "2.0"}, {"fixed": "2.3.1"}]])
    (hit,) = findings(tmp_path / "a", [("demo", "2.1")], rec)
    assert hit.fixed == ("2.3.1",)
    assert not findings(tmp_path / "b", [("demo", "1.7")], rec)


def test_an_explicit_versions_list_matches_without_any_range(tmp_path):
    rec = record("PYSEC-4", "demo", versions=["0.9", "1.0.0"])
    assert ids(findings(tmp_path / "a", [("demo", "1.0")], rec)) == [("PYSEC-4", "demo", "1.0")]
    assert not findings(tmp_path / "b", [("demo", "1.0.1")], rec)


def test_a_local_build_label_is_the_release_it_builds(tmp_path):
    # torch's CPU wheels are 2.13.0+cpu; advisories name 2.13.0 (or '2.6.0-cu124', not PEP 440)
    listed = record("PYSEC-5", "torch", versions=["2.13.0"])
    bounded = record("PYSEC-6", "torch", ranges=[[{"introduced": "0"}, {"last_affected": "2.6.0-cu124"}]])
    assert ids(findings(tmp_path / "a", [("torch", "2.13.0+cpu")], listed, bounded)) == [
        ("PYSEC-5", "torch", "2.13.0+cpu")]
    assert ids(findings(tmp_path / "b", [("torch", "2.6.0+cpu")], bounded)) == [("PYSEC-6", "torch", "2.6.0+cpu")]


def test_withdrawn_records_are_skipped(tmp_path):
    live = record("PYSEC-7", "demo", versions=["1.0"])
    gone = record("PYSEC-8", "demo", versions=["1.0"], withdrawn="2026-02-01T00:00:00Z")
    snap = audit.load_snapshot(write_db(tmp_path / "db", live, gone))
    assert snap.withdrawn == 1
    assert ids(audit.findings_for([audit.Dist("demo", "1.0")], snap)) == [("PYSEC-7", "demo", "1.0")]


def test_names_are_compared_in_pep_503_form(tmp_path):
    rec = record("PYSEC-9", "Python_Docx", versions=["1.2.0"])
    snap = audit.load_snapshot(write_db(tmp_path / "db", rec), names={"python-docx"})
    (hit,) = audit.findings_for([audit.Dist("python-docx", "1.2.0")], snap)
    assert hit.package == "python-docx"
    assert not audit.findings_for([audit.Dist("python-docx-extra", "1.2.0")], snap)


def test_aliases_are_kept_and_printed(tmp_path):
    rec = record("PYSEC-10", "demo", versions=["1.0"], aliases=["CVE-2026-0001", "GHSA-aaaa-bbbb-cccc"])
    (hit,) = findings(tmp_path, [("demo", "1.0")], rec)
    line = audit.describe(audit.Verdict(hit, None, False))
    assert "PYSEC-10" in line and "CVE-2026-0001" in line and "GHSA-aaaa-bbbb-cccc" in line
    assert "demo 1.0" in line and "no fixed version" in line


def test_a_tarball_reads_like_the_directory_and_only_records_naming_installed_packages_matter(tmp_path):
    db = write_db(tmp_path / "db", record("PYSEC-11", "demo", versions=["1.0"]),
                  record("PYSEC-12", "other", versions=["1.0"]))
    tarball = tmp_path / "osv.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(db / "vulns", arcname="vulns")
    snap = audit.load_snapshot(tarball, names={"demo"})
    assert snap.records == 2 and set(snap.advisories) == {"demo"}
    assert snap.newest == "2026-01-02"


def test_a_missing_or_empty_snapshot_is_an_error_not_a_clean_audit(tmp_path):
    with pytest.raises(audit.AuditError):
        audit.load_snapshot(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(audit.AuditError):
        audit.load_snapshot(tmp_path / "empty")


# ---------------------------------------------------------------- the whole audit of this venv

def installed_dist():
    """A distribution that is really installed here (the audit reads the live environment)."""
    return "packaging", metadata.version("packaging")


def allowlist(tmp_path, id_, package, review_by):
    path = tmp_path / "allow.toml"
    path.write_text(f'[[allow]]\nid = "{id_}"\npackage = "{package}"\n'
                    f'reason = "a test: the flaw is in code this project never calls"\nreview_by = {review_by}\n')
    return path


def run_main(capsys, *argv):
    code = audit.main(list(argv))
    return code, capsys.readouterr().out


def test_an_injected_advisory_for_an_installed_version_fails_the_audit(tmp_path, capsys):
    name, version = installed_dist()
    db = write_db(tmp_path / "db", record("PYSEC-TEST-1", name.upper(), versions=[version], aliases=["CVE-TEST-1"]))
    code, out = run_main(capsys, "--db", str(db), "--allow", str(tmp_path / "none.toml"))
    assert code == 1
    assert f"FINDING  PYSEC-TEST-1 (CVE-TEST-1) {name} {version}" in out
    checked = len(audit.installed()[0])
    assert f"{checked} distributions checked" in out and "snapshot date 2026-01-02" in out


def test_a_clean_snapshot_passes_and_says_what_it_checked(tmp_path, capsys):
    name, version = installed_dist()
    db = write_db(tmp_path / "db", record("PYSEC-TEST-2", name, ranges=[[{"introduced": "0"}, {"fixed": "0.1"}]]))
    code, out = run_main(capsys, "--db", str(db), "--allow", str(tmp_path / "none.toml"))
    assert code == 0 and "0 finding(s)" in out


def test_the_allowlist_suppresses_the_finding_by_id_or_alias(tmp_path, capsys):
    name, version = installed_dist()
    db = write_db(tmp_path / "db", record("PYSEC-TEST-3", name, versions=[version], aliases=["CVE-TEST-3"]))
    future = TODAY + dt.timedelta(days=30)
    for key in ("PYSEC-TEST-3", "CVE-TEST-3"):
        code, out = run_main(capsys, "--db", str(db), "--allow", str(allowlist(tmp_path, key, name, future)))
        assert code == 0, out
        assert f"allowed  PYSEC-TEST-3 (CVE-TEST-3) {name} {version}" in out and "never calls" in out


def test_an_allowance_for_another_package_does_not_suppress_it(tmp_path, capsys):
    name, version = installed_dist()
    db = write_db(tmp_path / "db", record("PYSEC-TEST-4", name, versions=[version]))
    allow = allowlist(tmp_path, "PYSEC-TEST-4", "some-other-package", TODAY + dt.timedelta(days=30))
    code, out = run_main(capsys, "--db", str(db), "--allow", str(allow))
    assert code == 1 and "FINDING  PYSEC-TEST-4" in out and "unused" in out


def test_an_expired_review_date_makes_it_a_finding_again(tmp_path, capsys):
    name, version = installed_dist()
    db = write_db(tmp_path / "db", record("PYSEC-TEST-5", name, versions=[version]))
    past = TODAY - dt.timedelta(days=1)
    code, out = run_main(capsys, "--db", str(db), "--allow", str(allowlist(tmp_path, "PYSEC-TEST-5", name, past)))
    assert code == 1
    assert f"EXPIRED  PYSEC-TEST-5 {name} {version}" in out and f"allowed until {past}" in out


@pytest.mark.parametrize("body", [
    '[[allow]]\nid = "X"\npackage = "p"\nreview_by = 2030-01-01\n',                 # no reason
    '[[allow]]\nid = "X"\npackage = "p"\nreason = "r"\nreview_by = "soon"\n',      # not a date
])
def test_an_allowance_without_a_reason_or_a_real_date_is_refused(tmp_path, body):
    path = tmp_path / "allow.toml"
    path.write_text(body)
    with pytest.raises(audit.AuditError):
        audit.load_allowlist(path)


def test_the_repository_allowlist_is_valid_and_every_entry_has_a_reason(tmp_path):
    allowed = audit.load_allowlist(Path(__file__).parent.parent / "audit-allow.toml")
    assert allowed and all(len(a.reason) > 40 for a in allowed)


# ---------------------------------------------------------------- choosing pip-audit or the snapshot

class _Pypi(http.server.BaseHTTPRequestHandler):
    body = b""
    status = 200

    def do_GET(self):
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_pypi():
    servers = []

    def start(status, body):
        handler = type("H", (_Pypi,), {"status": status, "body": body})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/pypi"

    yield start
    for s in servers:
        s.shutdown()


def test_only_a_real_release_document_counts_as_pypi_answering(fake_pypi):
    pip = audit.Dist("pip", "26.0")
    real = json.dumps({"info": {"name": "pip"}, "vulnerabilities": []}).encode()
    assert audit.pypi_answers(pip, base=fake_pypi(200, real))
    # an index proxy that serves the project page but 404s release pages: pip-audit would skip all
    assert not audit.pypi_answers(pip, base=fake_pypi(404, b"not found"))
    assert not audit.pypi_answers(pip, base=fake_pypi(200, b"<html>captive portal</html>"))


def test_without_pypi_it_falls_back_to_the_snapshot_and_without_one_it_refuses(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(audit, "pypi_answers", lambda dist: False)
    monkeypatch.delenv("AUDIT_DB", raising=False)
    name, version = installed_dist()
    db = write_db(tmp_path / "db", record("PYSEC-TEST-6", name, versions=[version]))
    code, out = run_main(capsys, "--fallback-db", str(db), "--allow", str(tmp_path / "none.toml"))
    assert code == 1 and "using the local snapshot" in out and "PYSEC-TEST-6" in out
    assert audit.main(["--allow", str(tmp_path / "none.toml")]) == 2
    assert "AUDIT_DB" in capsys.readouterr().err


def test_pip_audit_findings_go_through_the_same_allowlist(tmp_path):
    report = {"dependencies": [
        {"name": "Demo_Pkg", "version": "1.0", "vulns": [
            {"id": "PYSEC-TEST-7", "aliases": ["CVE-TEST-7"], "fix_versions": ["1.10", "1.2"], "description": "x"}]},
        {"name": "local-only", "skip_reason": "Dependency not found on PyPI and could not be audited"}]}
    found, skipped = audit.pip_audit_findings(run=lambda cmd: json.dumps(report))
    (f,) = found
    assert (f.package, f.fixed) == ("demo-pkg", ("1.2", "1.10")) and skipped[0].startswith("local-only")
    allow = allowlist(tmp_path, "CVE-TEST-7", "demo-pkg", TODAY + dt.timedelta(days=1))
    (verdict,) = audit.judge(found, audit.load_allowlist(allow), TODAY)
    assert not verdict.fails


def test_pip_audit_that_could_look_up_nothing_is_not_a_clean_audit(tmp_path, capsys, monkeypatch):
    # what a proxy that 404s every release page gives: every package "not found on PyPI"
    monkeypatch.setattr(audit, "pypi_answers", lambda dist: True)
    monkeypatch.delenv("AUDIT_DB", raising=False)
    all_skipped = {"dependencies": [{"name": d.name, "version": d.version, "skip_reason": "not found on PyPI"}
                                    for d in audit.installed()[0]]}
    monkeypatch.setattr(audit, "pip_audit_findings",
                        lambda run=None, _real=audit.pip_audit_findings: _real(lambda cmd: json.dumps(all_skipped)))
    name, version = installed_dist()
    db = write_db(tmp_path / "db", record("PYSEC-TEST-8", name, versions=[version]))
    code, out = run_main(capsys, "--fallback-db", str(db), "--allow", str(tmp_path / "none.toml"))
    assert code == 1 and "could look up none" in out and "PYSEC-TEST-8" in out
