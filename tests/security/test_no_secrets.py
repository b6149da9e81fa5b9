"""No secret in any file of the repository, and the scanner that says so does catch one.

`make test` (CI, via .ci/run) runs this, so a committed key fails the build. The
planted secrets below are assembled at run time from a seeded generator, so that
this file itself holds none for the scan to find.
"""

from __future__ import annotations

import base64
import random
import shutil
import string
import subprocess
from pathlib import Path

import pytest

from tests.security import secret_scan
from tests.security.secret_scan import ALLOWLIST, REPO, read_allowlist, scan_repo, scan_text

RNG_SEED = 20250401


def _random(alphabet: str, n: int, salt: int = 0) -> str:
    """A reproducible random string, like a generated key."""
    rng = random.Random(RNG_SEED + salt)
    return "".join(rng.choice(alphabet) for _ in range(n))


UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
BASE64 = ALNUM + "+/"
BEGIN = "-----BEGIN "
# Key names and values from fragments, so that no line of this file is an assignment.
PW, K_API, TOK, SEC = "pass" + "word", "api" + "_key", "TO" + "KEN", "sec" + "ret"
SAMPLE = "Tr0ub4dor" + "&3"
URL_SAFE_KEY = base64.urlsafe_b64encode(random.Random(RNG_SEED).randbytes(32)).decode()
HEX_KEY = random.Random(RNG_SEED + 1).randbytes(32).hex()

PLANTED = [  # (file name, line, rule expected)
    ("deploy/key.pem", BEGIN + "RSA PRIVATE KEY-----", "private-key"),
    ("notes.md", BEGIN + "OPENSSH PRIVATE KEY-----", "private-key"),
    ("transforms/cloud.py", "KEY_ID = '" + "AKIA" + _random(UPPER_DIGITS, 16) + "'", "aws-access-key-id"),
    ("config/aws.ini", f"aws_{SEC}_access_key = " + _random(BASE64, 40, 2), "aws-secret-access-key"),
    ("scripts/release.sh", "export GH=" + "ghp_" + _random(ALNUM, 36, 3), "github-token"),
    ("docs/alerts.md", "hook: " + "xoxb-" + _random(ALNUM, 24, 5), "slack-token"),
    ("dags/maps.py", "MAPS = '" + "AIza" + _random(ALNUM + "_-", 35, 6) + "'", "google-api-key"),
    ("transforms/db.py", f'db_{PW} = "{SAMPLE}"', "secret-assignment"),
    ("transforms/client.py", f"connect({K_API}='" + _random(ALNUM, 24, 4) + "')", "secret-assignment"),
    ("deploy/env.example", f"API_{TOK}={SAMPLE}", "secret-assignment"),
    ("config/pipeline.yml", f"  {SEC}_key: {SAMPLE}", "secret-assignment"),
    ("docker-compose.yml", f'  PGPASS: "${{POSTGRES_{PW.upper()}:-{SAMPLE}}}"', "secret-assignment"),
    ("transforms/warehouse.py", f'URL = "postgresql://airflow:{SAMPLE}@db:5432/airflow"', "uri-password"),
    ("Dockerfile", f"ENV BROKER=redis://user:{SAMPLE}@cache:6379/0", "uri-password"),
    ("config/pipeline.yml", "fernet: " + URL_SAFE_KEY, "high-entropy"),
    ("deploy/env.example", "SIGNING=" + HEX_KEY, "high-entropy"),
]

NOT_SECRETS = [  # references, expressions and names: where a secret comes from, not one
    ("transforms/db.py", "password = cfg.password"),
    ("transforms/db.py", 'token = os.environ["HSCP_TOKEN"]'),
    ("transforms/db.py", 'url = f"postgresql://{user}:{password}@{host}/db"'),
    ("deploy/env.example", "POSTGRES_PASSWORD="),
    ("docker-compose.yml", '  POSTGRES_PASSWORD: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}"'),
    ("docker-compose.yml", '  CONN: "postgresql+psycopg2://${POSTGRES_USER:-airflow}:${POSTGRES_PASSWORD:?x}@pg/db"'),
    ("expectations/public_ae_monthly.json", '"column": "PercentageWithin4HoursAll",'),
    ("config/pipeline.yml", "# e.g. HSCP_INPUTS__SMR01=/secure/smr01_2024.csv"),
    ("transforms/validate.py", 'raise ValueError("the password must not be empty")'),
]


def test_the_repository_holds_no_secret() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: there is no list of the repository's files to scan")
    scanned, found, stale = scan_repo(allowlist=read_allowlist())
    # Every file of the deployment is among those scanned.
    assert {"docker-compose.yml", "Dockerfile", "deploy/env.example", "config/pipeline.yml"} <= set(scanned)
    assert len(scanned) > 100
    assert found == [], (
        "suspected secrets (add a false positive to .ci/secret-allowlist.txt with a "
        "reason):\n" + "\n".join(map(str, found))
    )
    assert stale == [], "allow-list entries that match nothing; remove them:\n" + "\n".join(
        f"line {e.line_no}: {e.path} | {e.rule}" for e in stale
    )


def test_every_allowlist_entry_names_a_file_a_rule_and_a_reason() -> None:
    entries = read_allowlist()
    assert entries, "the allow-list is expected to hold the known false positives"
    for entry in entries:
        assert (REPO / entry.path).is_file(), f"line {entry.line_no}: {entry.path} does not exist"
        assert entry.rule in secret_scan.RULES and len(entry.reason.split()) >= 3


@pytest.mark.parametrize(("path", "line", "rule"), PLANTED, ids=[f"{r}:{p}" for p, _, r in PLANTED])
def test_a_planted_secret_is_caught(path: str, line: str, rule: str) -> None:
    found = scan_text(path, f"first line\n{line}\nlast line\n")
    assert rule in {f.rule for f in found}, f"{rule} not found in {line!r}: {found}"
    assert all(f.line_no == 2 and f.path == path for f in found)


@pytest.mark.parametrize(("path", "line"), NOT_SECRETS)
def test_a_reference_or_a_name_is_not_reported(path: str, line: str) -> None:
    assert scan_text(path, line + "\n") == []


def test_findings_never_repeat_the_secret() -> None:
    (finding,) = scan_text("transforms/db.py", f'db_{PW} = "{SAMPLE}"\n')
    assert finding.value == SAMPLE and SAMPLE not in str(finding)
    assert str(finding).startswith("transforms/db.py:1: secret-assignment: ")


def test_a_planted_secret_in_a_git_checkout_is_caught(tmp_path: Path) -> None:
    """The whole path: git's file list, text and binary files, ignored files, the allow-list."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text(".env\n")
    (repo / ".env").write_text(f"POSTGRES_{PW.upper()}={SAMPLE}\n")  # ignored: never committed
    (repo / "Dockerfile").write_text(f"FROM python:3.11\nENV DB=postgresql://u:{SAMPLE}@db/x\n")
    (repo / "model.parquet").write_bytes(b"PAR1\x00\x00" + (BEGIN + "EC PRIVATE KEY-----").encode() + b"\x00")
    (repo / "settings.yml").write_text(f"api_{TOK.lower()}: {SAMPLE}\nsha: {HEX_KEY}\n")
    subprocess.run(["git", "-C", str(repo), "add", "Dockerfile", "model.parquet"], check=True)
    # settings.yml is left untracked: it is still scanned, since the next commit could hold it.
    allow = tmp_path / "allow.txt"
    allow.write_text(
        "# comment\n"
        "settings.yml | high-entropy | sha: | a public checksum, not a key\n"
        "Dockerfile | private-key | nothing | an entry that matches nothing\n"
    )
    scanned, found, stale = scan_repo(repo, read_allowlist(allow))
    assert ".env" not in scanned and {"Dockerfile", "model.parquet", "settings.yml"} <= set(scanned)
    assert sorted((f.path, f.rule) for f in found) == [
        ("Dockerfile", "uri-password"),
        ("model.parquet", "private-key"),
        ("settings.yml", "secret-assignment"),
    ]
    assert [(e.path, e.rule) for e in stale] == [("Dockerfile", "private-key")]


@pytest.mark.parametrize(
    "line",
    [
        "Dockerfile | uri-password | x",  # no reason
        "Dockerfile | no-such-rule | x | a reason of words",  # unknown rule
        "Dockerfile | uri-password |  | a reason of words",  # no text
        "Dockerfile | uri-password | x | ok",  # a reason too short to say why
    ],
)
def test_an_allowlist_entry_without_its_parts_is_refused(tmp_path: Path, line: str) -> None:
    allow = tmp_path / "allow.txt"
    allow.write_text(line + "\n")
    with pytest.raises(ValueError, match="allow.txt:1"):
        read_allowlist(allow)


def test_the_allowlist_file_is_where_ci_looks() -> None:
    assert ALLOWLIST == REPO / ".ci" / "secret-allowlist.txt" and ALLOWLIST.is_file()
