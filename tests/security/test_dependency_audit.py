"""The dependency audit (.ci/audit): its ignore file, its verdicts, and the real audit when it can run.

pip-audit is not in requirements.lock, and its vulnerability services need the
network, so `make test` checks the ignore file and the script's handling of
pip-audit's report with a stand-in, and runs the real audit only when pip-audit is
installed (PATH, .venv/bin or PIP_AUDIT) and its service answers; otherwise that
test is skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from transforms.config import REPO_ROOT

AUDIT = REPO_ROOT / ".ci" / "audit"


def run_audit(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """Run .ci/audit with extra environment variables."""
    return subprocess.run(
        [str(AUDIT), *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **env}
    )


def test_the_ignore_file_gives_every_entry_an_id_and_a_reason() -> None:
    result = run_audit("--check-ignore")
    assert result.returncode == 0, result.stderr
    assert "is well formed" in result.stdout


@pytest.mark.parametrize(
    "line",
    [
        "PYSEC-2024-1",  # no reason
        "PYSEC-2024-1 |   ",  # an empty reason
        "GHSA-aaaa-bbbb-cccc | later",  # a reason too short to say why
        "requests-is-old | the package is pinned for a reason",  # not a vulnerability id
    ],
)
def test_an_ignore_entry_without_id_or_reason_is_refused(tmp_path: Path, line: str) -> None:
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("# comment\n\n" + line + "\n")
    result = run_audit("--check-ignore", AUDIT_IGNORE=str(ignore))
    assert result.returncode == 2
    assert f"{ignore}:3: expected '<vulnerability id> | <reason of a few words>'" in result.stderr


STUB = """#!{python}
import json, os, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("pip-audit (stand-in)")
    sys.exit(0)
open(os.environ["STUB_ARGS"], "w").write(json.dumps(args))
open(args[args.index("--output") + 1], "w").write(os.environ["STUB_REPORT"])
sys.exit(int(os.environ.get("STUB_STATUS", "0")))
"""


@pytest.fixture
def stand_in(tmp_path: Path):
    """A pip-audit stand-in that writes a given JSON report; returns a runner."""
    stub = tmp_path / "pip-audit"
    stub.write_text(STUB.format(python=sys.executable))
    stub.chmod(0o755)
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("GHSA-1111-2222-3333 | pkg-a: only its server part is affected, which we never run\n")

    def run(dependencies: list[dict], status: int = 0):
        report = json.dumps({"dependencies": dependencies, "fixes": []})
        result = run_audit(
            PIP_AUDIT=str(stub),
            AUDIT_IGNORE=str(ignore),
            STUB_REPORT=report,
            STUB_STATUS=str(status),
            STUB_ARGS=str(tmp_path / "args.json"),
        )
        return result, json.loads((tmp_path / "args.json").read_text())

    return run


def test_a_complete_audit_with_nothing_found_passes(stand_in) -> None:
    result, args = stand_in(
        [{"name": "pkg-a", "version": "1.0", "vulns": []}, {"name": "pkg-b", "version": "2.0", "vulns": []}]
    )
    assert result.returncode == 0, result.stderr
    assert "2 packages, 2 audited, 0 not audited, 0 vulnerabilities" in result.stdout
    # The lock is audited as pinned, and the ignore file's ids reach pip-audit.
    assert args[:2] == ["-r", "requirements.lock"] and {"--no-deps", "--disable-pip"} <= set(args)
    assert args[args.index("--ignore-vuln") + 1] == "GHSA-1111-2222-3333"


def test_a_vulnerability_fails_the_audit_naming_its_id(stand_in) -> None:
    vuln = {"id": "PYSEC-2099-7", "aliases": ["CVE-2099-1234"], "fix_versions": ["1.1"], "description": ""}
    result, _ = stand_in([{"name": "pkg-a", "version": "1.0", "vulns": [vuln]}], status=1)
    assert result.returncode == 1
    assert "VULNERABLE pkg-a==1.0: PYSEC-2099-7 (aliases: CVE-2099-1234); fixed in 1.1" in result.stdout


def test_packages_not_audited_make_the_audit_incomplete_not_clean(stand_in) -> None:
    """pip-audit says 'No known vulnerabilities found' and exits 0 when it could audit nothing."""
    skipped = {"name": "pkg-b", "skip_reason": "Dependency not found on PyPI and could not be audited: pkg-b (2.0)"}
    result, _ = stand_in([{"name": "pkg-a", "version": "1.0", "vulns": []}, skipped], status=0)
    assert result.returncode == 3
    assert "INCOMPLETE, 1 of 2 packages not audited" in result.stderr


def _pip_audit() -> str | None:
    """pip-audit from PIP_AUDIT, PATH or the project's venv, if any."""
    for candidate in (os.environ.get("PIP_AUDIT"), shutil.which("pip-audit"), str(REPO_ROOT / ".venv/bin/pip-audit")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def test_the_locked_dependencies_have_no_known_vulnerability() -> None:
    pip_audit = _pip_audit()
    if pip_audit is None:
        pytest.skip(
            "pip-audit is not installed (it is not in requirements.lock); "
            "run .ci/audit with PIP_AUDIT=/path/to/pip-audit"
        )
    result = run_audit(timeout=900, PIP_AUDIT=pip_audit)
    if result.returncode == 3:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"the vulnerability service could not be used, so nothing was audited: {last}")
    assert result.returncode == 0, result.stdout + result.stderr
