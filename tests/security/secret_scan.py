"""A small secret scanner for the files of this repository (run by test_no_secrets.py).

Every file git knows about (tracked, plus untracked ones that are not ignored, so a
secret is caught before it is committed) is checked for: private keys, AWS, GitHub,
Slack and Google key formats, `password=`/`secret:`/`token=`-style assignments of a
literal value (and `${NAME:-...}` defaults of such names), URLs with a password in their
user part, and long high-entropy strings in configuration files. Values that are
references (`${VAR}`, `$VAR`, `{name}`, `<...>`) are not literals and are not reported.

Known false positives go in `.ci/secret-allowlist.txt`, one per line:

    path | rule | text on the line | reason

An entry that no longer matches anything is itself an error, so the list stays
short and true. Findings are reported with the value redacted, so CI logs never
repeat a secret.

    python tests/security/secret_scan.py   # prints the findings, exit 1 if any
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ALLOWLIST = REPO / ".ci" / "secret-allowlist.txt"

# Formats that are secrets wherever they appear, text or binary.
FORMATS = {
    "private-key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "aws-access-key-id": re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    "aws-secret-access-key": re.compile(
        r"(?i)aws_?secret_?access_?key\s*[=:]\s*['\"]?(?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
    ),
    "github-token": re.compile(r"\b(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{36,}\b"),
    "slack-token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "google-api-key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
}

# `<name containing a secret word> = | : | := <value>`, the value quoted or bare.
_SECRET_WORD = r"(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|fernet[_-]?key)"
ASSIGNMENT = re.compile(
    rf"(?i)(?P<key>[A-Za-z0-9_.-]*{_SECRET_WORD}[A-Za-z0-9_.-]*)['\"]?\s*(?::=|=|:)\s*"
    r"(?:(?P<quote>['\"])(?P<quoted>[^'\"\n]*)(?P=quote)|(?P<bare>[^\s'\",;#)}\]]+))"
)
# A shell/compose default of a secret name, `${NAME:-...}`: the default is a literal.
DEFAULT_VALUE = re.compile(rf"(?i)\$\{{[A-Za-z0-9_]*{_SECRET_WORD}[A-Za-z0-9_]*:?-(?P<value>[^}}]*)\}}")
URI_PASSWORD = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://(?P<user>[^\s:/@'\"]+):(?P<value>[^\s@/'\"]+)@")
_REFERENCE = re.compile(r"\$\{[^{}]*\}")  # ${NAME}, ${NAME:?message}, ${NAME:-default}
# Base64 (standard or URL-safe, padding only at the end) or hex, 20 characters or more.
ENTROPY_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")
# Names made of words: CamelCase, snake_case, SCREAMING_CASE (with numbers between).
IDENTIFIER = re.compile(r"(?:[A-Z]?[a-z]{2,}|[A-Z]{2,}|[0-9]+|[_/-])+")

# Files whose bare (unquoted) values are literals. In code a bare value is an expression.
CONFIG_SUFFIXES = {
    ".yml",
    ".yaml",
    ".toml",
    ".ini",
    ".cfg",
    ".conf",
    ".env",
    ".example",
    ".json",
    ".properties",
    ".in",
    ".lock",
}
CONFIG_NAMES = {"Dockerfile", "docker-compose.yml", ".env", "Makefile"}
RULES = (*FORMATS, "secret-assignment", "uri-password", "high-entropy")
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    """One suspected secret; `value` is kept for matching but shown only redacted."""

    path: str
    line_no: int
    rule: str
    line: str
    value: str

    def __str__(self) -> str:
        """Say where and what without repeating the secret."""
        shown = f"{self.value[:3]}... ({len(self.value)} chars)" if len(self.value) > 3 else "***"
        return f"{self.path}:{self.line_no}: {self.rule}: {shown}"


@dataclass(frozen=True)
class AllowEntry:
    """One known false positive and why it is not a secret."""

    path: str
    rule: str
    text: str
    reason: str
    line_no: int

    def matches(self, finding: Finding) -> bool:
        """Same file and rule, and the entry's text is on the finding's line."""
        return finding.path == self.path and finding.rule == self.rule and self.text in finding.line


def is_config(path: str) -> bool:
    """Files where an unquoted value is a literal and long random strings are suspicious."""
    p = Path(path)
    return p.name in CONFIG_NAMES or p.suffix in CONFIG_SUFFIXES or path.startswith(".ci/")


def is_reference(value: str) -> bool:
    """A value that names where the secret comes from instead of being one."""
    v = value.strip()
    return (
        not v
        or v[0] in "$<{%"
        or v.startswith("os.environ")
        or v.startswith("getenv")
        or v.lower() in {"null", "none", "~", "true", "false", "required", "optional"}
        or set(v) <= set("*x.-_")
    )


def shannon_entropy(text: str) -> float:
    """Bits per character: random base64 is near 6, English words and identifiers near 3-4."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_random(token: str) -> bool:
    """A long token with the spread of characters of a key, not a name made of words."""
    has_digit = any(c.isdigit() for c in token)
    if re.fullmatch(r"[0-9a-fA-F]{32,}", token):  # openssl rand -hex
        return has_digit and any(c.isalpha() for c in token) and shannon_entropy(token) > 3.0
    if IDENTIFIER.fullmatch(token.rstrip("=")):
        return False
    mixed_case = any(c.islower() for c in token) and any(c.isupper() for c in token)
    return mixed_case and (has_digit or len(token) >= 32) and shannon_entropy(token) >= 4.0


def scan_text(path: str, text: str) -> list[Finding]:
    """Every suspected secret in one file's text."""
    findings: list[Finding] = []
    config = is_config(path)
    for line_no, line in enumerate(text.splitlines(), 1):

        def add(rule: str, value: str, line_no=line_no, line=line) -> None:
            findings.append(Finding(path, line_no, rule, line, value))

        for rule, pattern in FORMATS.items():
            for m in pattern.finditer(line):
                add(rule, m.groupdict().get("value") or m.group(0))
        for m in DEFAULT_VALUE.finditer(line):
            if not is_reference(m.group("value")):
                add("secret-assignment", m.group("value"))
        for m in ASSIGNMENT.finditer(line):
            if line[max(m.start() - 2, 0) : m.start()].endswith(("${", "$")):
                continue  # ${NAME:?message} or $NAME: a reference (defaults are checked above)
            value = m.group("quoted") if m.group("quote") else m.group("bare")
            if m.group("bare") is not None and not config:
                continue  # code: a bare value is an expression, not a literal
            if len(value) >= 4 and " " not in value and not is_reference(value):
                add("secret-assignment", value)
        for m in URI_PASSWORD.finditer(_REFERENCE.sub("$REF", line)):
            if not is_reference(m.group("value")):
                add("uri-password", m.group("value"))
        if config:
            for m in ENTROPY_TOKEN.finditer(line):
                if looks_random(m.group(0)):
                    add("high-entropy", m.group(0))
    return findings


def scan_file(root: Path, rel: str) -> list[Finding]:
    """Scan one file; binary files only for the fixed key formats."""
    path = root / rel
    if not path.is_file() or path.is_symlink():
        return []
    data = path.read_bytes()[:MAX_BYTES]
    if b"\x00" in data[:8192]:  # binary (Parquet): only formats that are secrets anywhere
        text = data.decode("latin-1")
        return [
            Finding(rel, text.count("\n", 0, m.start()) + 1, rule, "", m.group(0))
            for rule, pattern in FORMATS.items()
            for m in pattern.finditer(text)
        ]
    return scan_text(rel, data.decode("utf-8", "replace"))


def repo_files(root: Path = REPO) -> list[str]:
    """Tracked files plus untracked ones that are not ignored: what a commit could contain."""
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout
    return sorted({name for name in out.decode().split("\0") if name})


def read_allowlist(path: Path = ALLOWLIST) -> list[AllowEntry]:
    """Parse the allow-list, refusing an entry without path, known rule, text or reason."""
    entries = []
    for line_no, raw in enumerate(path.read_text().splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in raw.split(" | ")]
        if len(fields) != 4 or not all(fields):
            raise ValueError(f"{path.name}:{line_no}: expected 'path | rule | text on the line | reason'")
        entry = AllowEntry(*fields, line_no=line_no)
        if entry.rule not in RULES:
            raise ValueError(f"{path.name}:{line_no}: unknown rule {entry.rule!r} (one of {', '.join(RULES)})")
        if len(entry.reason.split()) < 3:
            raise ValueError(f"{path.name}:{line_no}: give a reason of a few words, not {entry.reason!r}")
        entries.append(entry)
    return entries


def scan_repo(
    root: Path = REPO, allowlist: list[AllowEntry] | None = None
) -> tuple[list[str], list[Finding], list[AllowEntry]]:
    """(files scanned, findings not allowed, allow-list entries that matched nothing)."""
    allowlist = [] if allowlist is None else allowlist
    files = repo_files(root)
    findings = [f for rel in files for f in scan_file(root, rel)]
    unmatched = [e for e in allowlist if not any(e.matches(f) for f in findings)]
    left = [f for f in findings if not any(e.matches(f) for e in allowlist)]
    return files, left, unmatched


if __name__ == "__main__":
    scanned, found, stale = scan_repo(allowlist=read_allowlist())
    for finding in found:
        print(finding)
    for entry in stale:
        print(f"{ALLOWLIST.name}:{entry.line_no}: matches nothing: {entry.path} | {entry.rule}")
    print(f"{len(scanned)} files scanned, {len(found)} finding(s), {len(stale)} stale allow-list entries")
    sys.exit(1 if found or stale else 0)
