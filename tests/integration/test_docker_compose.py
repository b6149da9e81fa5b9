"""The production deployment files (docker-compose.yml, Dockerfile, .dockerignore,
deploy/env.example) agree with each other and with the project.

Mostly static: the compose file is parsed with PyYAML (merge keys resolved) and its
${...} interpolation is evaluated here with the same rules compose applies. Two tests
reach further when the machine allows it, and skip with the reason otherwise:
`docker compose config` (needs the compose CLI plugin, not a Docker engine) and an
`airflow db migrate` against a throwaway PostgreSQL cluster using the compose file's
own connection URL (needs initdb/pg_ctl and the psycopg2 driver in the venv).
"""

from __future__ import annotations

import base64
import glob
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from transforms.config import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
ENV_EXAMPLE = REPO_ROOT / "deploy" / "env.example"

AIRFLOW_SERVICES = [
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
]
LONG_RUNNING = [s for s in AIRFLOW_SERVICES if s != "airflow-init"]
EXPECTED_SERVICES = {"postgres", *AIRFLOW_SERVICES}
EXPECTED_COMMANDS = {
    "airflow-init": ["db", "migrate"],
    "airflow-apiserver": ["api-server"],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
}
REQUIRED_SECRETS = {
    "POSTGRES_PASSWORD",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
}
# Values compose would read from deploy/.env; syntactically valid, obviously fake.
DUMMY_SECRETS = {
    "POSTGRES_PASSWORD": "dummy-postgres-password",
    "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(b"d" * 32).decode(),
    "AIRFLOW__API_AUTH__JWT_SECRET": "dummy-jwt-secret",
    "AIRFLOW__API__SECRET_KEY": "dummy-api-secret-key",
}
PROJECT_PYTHON = "3.11"


# --- compose interpolation, as specified for the compose file format -------------------

_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(LookupError):
    """A ${VAR:?message} or ${VAR?message} whose variable is unset (or empty for :?)."""


def interpolate(value, env: dict[str, str]):
    """Resolve ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err} and $$."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(m: re.Match) -> str:
        if m["escaped"]:
            return "$"
        name = m["name"] or m["bare"]
        op, arg = m["op"], m["arg"]
        current = env.get(name)
        missing = current is None or (op is not None and op.startswith(":") and current == "")
        if op in (":-", "-"):
            return arg if missing else current
        if op in (":?", "?"):
            if missing:
                raise MissingVariable(f"{name}: {arg}")
            return current
        return current or ""

    return _REFERENCE.sub(substitute, value)


def references(value) -> list[tuple[str, str | None]]:
    """(variable name, operator) for every interpolation in a parsed value (comments excluded)."""
    if isinstance(value, dict):
        return [r for k, v in value.items() for r in references(k) + references(v)]
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    if not isinstance(value, str):
        return []
    return [(m["name"] or m["bare"], m["op"]) for m in _REFERENCE.finditer(value) if not m["escaped"]]


# --- helpers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE_FILE.is_file(), "docker-compose.yml is missing"
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))  # resolves << merge keys
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def resolved(compose) -> dict:
    """The compose file as it runs with the dummy secrets and every default."""
    return interpolate(compose, dict(DUMMY_SECRETS))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full:
            keyword, _, args = full.partition(" ")
            instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends with a line continuation"
    return instructions


def common_env(compose) -> dict:
    env = compose["x-airflow-common"]["environment"]
    assert isinstance(env, dict), "the common Airflow environment must be a mapping"
    return env


def as_list(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def mounts(service: dict) -> list[dict]:
    """Normalise short and long volume syntax to {type, source, target, read_only}."""
    out = []
    for v in service.get("volumes", []):
        if isinstance(v, str):
            parts = v.split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
            options = parts[2].split(",") if len(parts) > 2 else []
            kind = "bind" if source and source.startswith((".", "/", "~")) else "volume"
            out.append({"type": kind, "source": source, "target": target, "read_only": "ro" in options})
        else:
            out.append(
                {
                    "type": v.get("type"),
                    "source": v.get("source"),
                    "target": v["target"],
                    "read_only": bool(v.get("read_only", False)),
                }
            )
    return out


def is_secret_name(key: str) -> bool:
    key = key.upper()
    return any(word in key for word in ("PASSWORD", "SECRET", "FERNET", "TOKEN", "PRIVATE")) or key.endswith("_KEY")


def copy_instructions(dockerfile) -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY/ADD from the build context."""
    out = []
    for keyword, args in dockerfile:
        if keyword not in ("COPY", "ADD"):
            continue
        tokens = json.loads(args) if args.startswith("[") else shlex.split(args)
        flags = [t for t in tokens if t.startswith("--")]
        if any(f.startswith("--from") for f in flags):
            continue
        paths = [t for t in tokens if not t.startswith("--")]
        assert len(paths) >= 2, f"{keyword} {args}: needs a source and a destination"
        out.append((paths[:-1], paths[-1]))
    return out


def dockerfile_env(dockerfile) -> dict[str, str]:
    env = {}
    for keyword, args in dockerfile:
        if keyword != "ENV":
            continue
        tokens = shlex.split(args)
        if tokens and "=" not in tokens[0]:  # legacy form: ENV KEY value
            env[tokens[0]] = " ".join(tokens[1:])
        else:
            env.update(t.split("=", 1) for t in tokens)
    return env


def lock_pin(name: str) -> str:
    text = (REPO_ROOT / "requirements.lock").read_text(encoding="utf-8")
    m = re.search(rf"^{re.escape(name)}==([^\s;#]+)", text, re.MULTILINE)
    assert m, f"{name} is not pinned in requirements.lock"
    return m[1]


# --- services, images, environment ---------------------------------------------------


def test_expected_services_exist_and_no_celery_stack(compose):
    services = set(compose["services"])
    assert EXPECTED_SERVICES <= services, f"missing services: {EXPECTED_SERVICES - services}"
    assert not services & {"redis", "airflow-worker", "flower"}, "LocalExecutor needs no broker or Celery workers"
    for name, expected in EXPECTED_COMMANDS.items():
        assert as_list(compose["services"][name]["command"]) == expected, name


def test_images_are_pinned_to_exact_tags(compose):
    for name, service in compose["services"].items():
        image = service.get("image")
        assert image, f"{name} has no image"
        assert "$" not in image, f"{name}: the image must not depend on the environment"
        repo, sep, tag = image.rpartition(":")
        assert sep and "/" not in tag and tag, f"{name}: {image} has no tag"
        assert tag != "latest" and "latest" not in tag, f"{name}: {image} floats"
    postgres_repo, _, postgres_tag = compose["services"]["postgres"]["image"].rpartition(":")
    assert postgres_repo == "postgres" and re.fullmatch(r"16(\.\d+)?", postgres_tag), (
        "the metadata database stays on PostgreSQL 16 (a major upgrade needs a dump/restore)"
    )


def test_every_airflow_service_uses_the_built_image_and_common_env(compose):
    common = compose["x-airflow-common"]
    image, build = common["image"], common["build"]
    assert build["context"] == "." and (REPO_ROOT / build.get("dockerfile", "Dockerfile")) == DOCKERFILE
    version = re.search(r'^version\s*=\s*"([^"]+)"', (REPO_ROOT / "pyproject.toml").read_text(), re.M)[1]
    assert image.endswith(f":{version}"), f"image tag {image} should be the project version {version}"
    for name in AIRFLOW_SERVICES:
        service = compose["services"][name]
        assert service["image"] == image, name
        assert service["build"] == build, name
        assert service["environment"] == common_env(compose), f"{name} must use the common env unchanged"
    assert "build" not in compose["services"]["postgres"]


def test_airflow_core_settings(compose):
    env = common_env(compose)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert not [k for k in env if k.startswith("AIRFLOW__CELERY__")]
    assert str(env["AIRFLOW__CORE__LOAD_EXAMPLES"]).lower() == "false"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/dags"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"


def test_no_literal_secrets(compose):
    required_form = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?[^}]+\}")
    environments = {"x-airflow-common": common_env(compose)}
    environments.update({n: s.get("environment", {}) for n, s in compose["services"].items()})
    seen = set()
    for where, env in environments.items():
        assert isinstance(env, dict), f"{where}: environment must be a mapping"
        for key, value in env.items():
            if not is_secret_name(key):
                continue
            m = required_form.fullmatch(str(value))
            assert m, f"{where}: {key} must be a required ${{VAR:?message}} interpolation, got {value!r}"
            seen.add(m["name"])
    assert REQUIRED_SECRETS <= seen, f"secrets not wired through the environment: {REQUIRED_SECRETS - seen}"
    # The password inside the SQLAlchemy URL is an interpolation too, never a literal.
    conn = common_env(compose)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert ("POSTGRES_PASSWORD", ":?") in references(conn)
    # Without any one secret, compose refuses the file.
    for name in REQUIRED_SECRETS:
        env = {k: v for k, v in DUMMY_SECRETS.items() if k != name}
        with pytest.raises(MissingVariable, match=name):
            interpolate(compose, env)
        with pytest.raises(MissingVariable, match=name):
            interpolate(compose, {**env, name: ""})


def test_sql_alchemy_conn_points_at_the_postgres_service(compose):
    from sqlalchemy.engine import make_url

    for overrides in ({}, {"POSTGRES_USER": "hscp_meta", "POSTGRES_DB": "hscp_airflow"}):
        env = {**DUMMY_SECRETS, **overrides}
        resolved = interpolate(compose, env)
        url = make_url(common_env(resolved)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        pg = resolved["services"]["postgres"]["environment"]
        assert url.drivername == "postgresql+psycopg2"
        assert url.host == "postgres" and url.host in resolved["services"]
        assert url.port in (None, 5432)
        assert url.username == pg["POSTGRES_USER"]
        assert url.password == pg["POSTGRES_PASSWORD"] == DUMMY_SECRETS["POSTGRES_PASSWORD"]
        assert url.database == pg["POSTGRES_DB"]
        if overrides:
            assert (url.username, url.database) == (overrides["POSTGRES_USER"], overrides["POSTGRES_DB"])


def test_healthchecks(compose):
    services = compose["services"]
    pg_test = " ".join(as_list(services["postgres"]["healthcheck"]["test"]))
    assert "pg_isready" in pg_test
    api = services["airflow-apiserver"]
    api_test = " ".join(as_list(api["healthcheck"]["test"]))
    assert re.search(r"localhost:8080/api/v2/(monitor/health|version)\b", api_test), api_test
    assert any(str(p).endswith(":8080") or str(p) == "8080" for p in api["ports"]), api["ports"]
    for name in LONG_RUNNING:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "ports" not in services["postgres"], "the metadata database is not published"


def test_depends_on_conditions(compose):
    services = compose["services"]
    for name in AIRFLOW_SERVICES:
        deps = services[name].get("depends_on")
        assert isinstance(deps, dict), f"{name}: depends_on must use the long form with conditions"
        assert deps.get("postgres", {}).get("condition") == "service_healthy", name
        if name != "airflow-init":
            assert deps.get("airflow-init", {}).get("condition") == "service_completed_successfully", name
        for dep, spec in deps.items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            condition = spec.get("condition")
            expected = "service_completed_successfully" if dep == "airflow-init" else "service_healthy"
            assert condition == expected, f"{name} -> {dep}: {condition}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep}, which has no healthcheck"
    assert str(services["airflow-init"].get("restart", "no")) == "no"


def test_init_migrates_and_creates_nothing_secret(compose):
    init = compose["services"]["airflow-init"]
    assert as_list(init["command"]) == ["db", "migrate"]
    assert init["environment"] == common_env(compose)
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert "_AIRFLOW_WWW_USER" not in text, "no admin user (or its password) is created from the file"


def test_volumes_and_readonly_extracts(compose, resolved):
    declared = set(compose.get("volumes") or {})
    for name, service in resolved["services"].items():
        for m in mounts(service):
            if m["type"] == "volume":
                assert m["source"] in declared, f"{name}: volume {m['source']} is not declared"
            if m["target"].startswith("/extracts"):
                assert m["read_only"], f"{name}: restricted extracts must be mounted read-only"
    pg = {m["target"]: m for m in mounts(resolved["services"]["postgres"])}
    assert pg["/var/lib/postgresql/data"]["type"] == "volume"
    # The LocalExecutor runs tasks in the scheduler: the pipeline's folders are there.
    sched = {m["target"]: m for m in mounts(resolved["services"]["airflow-scheduler"])}
    env = common_env(resolved)
    for key in ("HSCP_PATHS__DATA_DIR", "HSCP_PATHS__OUTPUT_DIR"):
        target = env[key]
        assert target in sched and not sched[target]["read_only"], f"{key}={target} is not a writable mount"
    assert sched["/extracts"]["type"] == "bind" and sched["/extracts"]["read_only"]
    assert (REPO_ROOT / sched["/extracts"]["source"]).is_dir(), "the default extracts folder must exist"
    # Patient-level data is visible to the task-running container only.
    for name in set(AIRFLOW_SERVICES) - {"airflow-scheduler"}:
        targets = {m["target"] for m in mounts(resolved["services"][name])}
        assert not targets & {"/extracts", env["HSCP_PATHS__DATA_DIR"]}, name


def test_hscp_variables_are_real_pipeline_settings(compose, resolved):
    from transforms.config import ConfigError, load_config

    hscp = {k: str(v) for k, v in common_env(resolved).items() if k.startswith("HSCP_")}
    assert {"HSCP_PATHS__DATA_DIR", "HSCP_PATHS__OUTPUT_DIR", "HSCP_INPUTS__SMR01"} <= set(hscp)
    cfg = load_config(environ=hscp)  # ConfigError if any name is not a setting
    assert cfg.data_dir == Path("/data") and cfg.output_dir == Path("/output")
    assert cfg.releases_dir == Path("/output/releases")
    assert cfg.uses_synthetic_smr01, "HSCP_INPUTS__SMR01 defaults to synthetic"
    # An operator pointing SMR01 at a restricted extract gets a path inside the read-only mount.
    env = {**DUMMY_SECRETS, "HSCP_INPUTS__SMR01": "/extracts/smr01_2024.csv"}
    pointed = {k: str(v) for k, v in common_env(interpolate(compose, env)).items() if k.startswith("HSCP_")}
    cfg = load_config(environ=pointed)
    assert cfg.smr01 == Path("/extracts/smr01_2024.csv")
    ro_targets = [m["target"] for m in mounts(resolved["services"]["airflow-scheduler"]) if m["read_only"]]
    assert any(cfg.smr01.is_relative_to(t) for t in ro_targets)
    # The check has teeth: a misspelt setting is refused.
    with pytest.raises(ConfigError):
        load_config(environ={**hscp, "HSCP_PATHS__DATADIR": "/data"})


def test_env_example_documents_every_variable(compose):
    assert ENV_EXAMPLE.is_file()
    example = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"env.example: not KEY=value: {line!r}"
            example[key.strip()] = value.strip()
    used = dict(references(compose))
    assert set(used) <= set(example), f"not in deploy/env.example: {set(used) - set(example)}"
    for name in REQUIRED_SECRETS:
        assert used.get(name) == ":?", f"{name} must be required"
        assert example[name] == "", f"env.example must not carry a usable value for {name}"
    # Filling in only the secrets gives a complete configuration.
    interpolate(compose, {**example, **DUMMY_SECRETS})
    # The filled-in copy is git-ignored.
    if shutil.which("git") and (REPO_ROOT / ".git").exists():
        ignored = subprocess.run(["git", "-C", str(REPO_ROOT), "check-ignore", "-q", "--no-index", "deploy/.env"])
        assert ignored.returncode == 0, "deploy/.env must be git-ignored"
        kept = subprocess.run(["git", "-C", str(REPO_ROOT), "check-ignore", "-q", "--no-index", "deploy/env.example"])
        assert kept.returncode == 1, "deploy/env.example must not be ignored"


# --- Dockerfile -----------------------------------------------------------------------


def test_dockerfile_base_matches_lock_and_python(dockerfile):
    froms = [args for keyword, args in dockerfile if keyword == "FROM"]
    assert froms, "Dockerfile has no FROM"
    image = froms[-1].split()[0]
    m = re.fullmatch(r"apache/airflow:(?P<airflow>\d+\.\d+\.\d+)-python(?P<python>\d+\.\d+)", image)
    assert m, f"final stage must be the official apache/airflow:<version>-python<x.y> image, got {image}"
    assert m["airflow"] == lock_pin("apache-airflow") == lock_pin("apache-airflow-core")
    assert m["python"] == PROJECT_PYTHON == f"{sys.version_info.major}.{sys.version_info.minor}"
    requires = re.search(r'requires-python\s*=\s*"([^"]+)"', (REPO_ROOT / "pyproject.toml").read_text())[1]
    assert f">={PROJECT_PYTHON}" in requires.replace(" ", "")


def test_dockerfile_installs_the_lock_as_airflow_user(dockerfile):
    user, installs = None, []
    for keyword, args in dockerfile:
        if keyword == "USER":
            user = args.split(":")[0]
        if keyword == "RUN" and re.search(r"\bpip install\b", args):
            installs.append((user, args))
    assert installs, "no pip install"
    for user_at_install, args in installs:
        assert user_at_install == "airflow", f"pip install runs as {user_at_install}"
        assert "--no-cache-dir" in args and "requirements.lock" in args
        assert not re.search(r"--(extra-)?index-url|--trusted-host|://", args), "no package index is named"
    users = [args for keyword, args in dockerfile if keyword == "USER"]
    assert users and users[-1].split(":")[0] == "airflow", "the image must not run as root"
    lock_copied = [d for srcs, d in copy_instructions(dockerfile) if "requirements.lock" in srcs]
    assert lock_copied


def test_dockerfile_copies_existing_paths_and_sets_pythonpath(dockerfile):
    copies = copy_instructions(dockerfile)
    for sources, _ in copies:
        for source in sources:
            assert (REPO_ROOT / source).exists(), f"COPY source {source} does not exist"
    destinations = {src.rstrip("/"): dest.rstrip("/") for sources, dest in copies for src in sources}
    for folder in ("transforms", "dbt_project", "expectations", "config", "reference", "dags"):
        assert destinations.get(folder) == f"/opt/airflow/{folder}", f"{folder} is not copied to /opt/airflow"
    pythonpath = dockerfile_env(dockerfile).get("PYTHONPATH", "")
    assert "/opt/airflow" in pythonpath.split(":")
    # transforms.config finds config/ and reference/ next to transforms/: all share one root.
    assert destinations["transforms"].rsplit("/", 1)[0] == "/opt/airflow"


def test_dockerignore_keeps_copied_paths_and_drops_secrets(dockerfile):
    rules = []
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").lstrip("/"))
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                regex, i = regex + pattern[i : end + 1], end + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((re.compile(regex), negate))

    def excluded(path: str) -> bool:
        parts = path.split("/")
        candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        result = False
        for regex, negate in rules:
            if any(regex.fullmatch(c) for c in candidates):
                result = not negate
        return result

    for sources, _ in copy_instructions(dockerfile):
        for source in sources:
            root = REPO_ROOT / source
            files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
            for f in files:
                rel = f.relative_to(REPO_ROOT).as_posix()
                if "__pycache__" in rel or rel.endswith((".pyc", ".pyo")):
                    assert excluded(rel), rel
                else:
                    assert not excluded(rel), f"{rel} is copied by the Dockerfile but excluded by .dockerignore"
    for secret_or_bulky in (
        ".env",
        "deploy/.env",
        "deploy/extracts/smr01.csv",
        "data/raw/x.csv",
        "output/releases/x/a.parquet",
        ".venv/bin/python",
        ".git/HEAD",
        ".airflow/airflow.db",
        "dbt_project/target/manifest.json",
    ):
        assert excluded(secret_or_bulky), f"{secret_or_bulky} would be sent to the image build"


# --- optional: the real compose CLI ---------------------------------------------------


def _compose_cli() -> tuple[list[str] | None, str]:
    attempts = []
    for cmd in (["docker", "compose"], ["docker-compose"]):
        if not shutil.which(cmd[0]):
            attempts.append(f"{cmd[0]}: not installed")
            continue
        try:
            r = subprocess.run([*cmd, "version"], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError) as exc:
            attempts.append(f"{' '.join(cmd)} version: {exc}")
            continue
        if r.returncode == 0:
            return cmd, ""
        detail = (r.stderr or r.stdout).strip().splitlines()
        attempts.append(f"{' '.join(cmd)} version exited {r.returncode}: {detail[0] if detail else ''}")
    return None, "; ".join(attempts)


def test_docker_compose_config_accepts_the_file():
    cli, why = _compose_cli()
    if cli is None:
        pytest.skip(f"docker compose is not usable here ({why})")
    base = [
        *cli,
        "-f",
        str(COMPOSE_FILE),
        "--project-directory",
        str(REPO_ROOT),
        "--env-file",
        str(ENV_EXAMPLE),
        "config",
        "--quiet",
    ]
    clean = {k: v for k, v in os.environ.items() if k not in REQUIRED_SECRETS and not k.startswith("HSCP_")}
    ok = subprocess.run(base, env={**clean, **DUMMY_SECRETS}, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    refused = subprocess.run(base, env=clean, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0, "compose must refuse to run without the secrets"


# --- optional: migrate the Airflow schema on a real PostgreSQL --------------------------


def _postgres_bindir() -> Path | None:
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        d = Path(on_path).resolve().parent
        if (d / "pg_ctl").exists():
            return d
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(re.search(r"/(\d+)/bin$", p)[1]) if re.search(r"/(\d+)/bin$", p) else 0,
        reverse=True,
    )
    for d in map(Path, candidates):
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_airflow_db_migrate_on_real_postgres(compose):
    import importlib.util

    from sqlalchemy.engine import make_url

    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin")
    if not (bindir / "createdb").exists():
        pytest.skip(f"{bindir} has initdb and pg_ctl but no createdb")
    python = Path(sys.executable)
    airflow = python.parent / "airflow"
    if not airflow.exists():
        pytest.skip(f"no airflow executable next to {python}")
    env = os.environ.copy()
    # Airflow 3 opens the metadata DB twice: the URL's sync driver (psycopg2) and an async
    # engine derived from it (postgresql+asyncpg). Both come with apache-airflow[postgres].
    missing = [
        m
        for m in ("psycopg2", "asyncpg")
        if subprocess.run([str(python), "-c", f"import {m}"], env=env, capture_output=True).returncode
    ]
    if missing:
        pytest.skip(
            f"the PostgreSQL drivers Airflow needs for the compose URL (postgresql+psycopg2, plus "
            f"asyncpg for its async engine) are not importable from {python.parent.parent}: missing "
            f"{', '.join(missing)}. requirements.lock has no apache-airflow[postgres] extra (the "
            f"production image gets the drivers from the official base image), and this test does not "
            f"install into the shared venv"
        )
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        runuser = shutil.which("runuser")
        try:
            owner = pwd.getpwnam("nobody")
        except KeyError:
            owner = None
        if not runuser or owner is None:
            pytest.skip("running as root, and no runuser/'nobody' user to run PostgreSQL unprivileged")
        run_as = [runuser, "-u", "nobody", "--"]

    # The compose file's own URL, with only the host and port swapped for the throwaway cluster.
    password = secrets.token_hex(16)
    resolved = interpolate(compose, {**DUMMY_SECRETS, "POSTGRES_PASSWORD": password})
    airflow_env = common_env(resolved)
    url = make_url(airflow_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert url.host == "postgres"
    port = _free_port()
    local_url = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)

    cluster = Path(tempfile.mkdtemp(prefix="hscp-pg-"))
    home = Path(tempfile.mkdtemp(prefix="hscp-airflow-pg-"))
    data = cluster / "data"
    pwfile = cluster / "pwfile"
    pwfile.write_text(password + "\n")
    if owner is not None:
        for p in (cluster, pwfile):
            os.chown(p, owner.pw_uid, owner.pw_gid)
    pg_env = {**env, "PGPASSWORD": password, "LC_ALL": "C"}

    def pg(*args, timeout=120):
        r = subprocess.run(
            [*run_as, *map(str, args)], env=pg_env, capture_output=True, text=True, timeout=timeout, cwd=cluster
        )
        assert r.returncode == 0, f"{args[0]} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        return r

    started = False
    try:
        pg(
            bindir / "initdb",
            "-D",
            data,
            "-U",
            url.username,
            "--pwfile",
            pwfile,
            "-E",
            "UTF8",
            "--no-locale",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        )
        pg(
            bindir / "pg_ctl",
            "-D",
            data,
            "-l",
            cluster / "postgres.log",
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -c listen_addresses=127.0.0.1 -k {cluster}",
            "start",
        )
        started = True
        pg(bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", url.username, url.database)

        run_env = {**env, "AIRFLOW_HOME": str(home)}
        for key, value in airflow_env.items():
            if key.startswith("AIRFLOW__"):
                run_env[key] = str(value)
        run_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = local_url
        run_env["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO_ROOT / "dags")
        if importlib.util.find_spec("airflow.providers.fab") is None:
            # The FAB auth manager ships with the official image, not with requirements.lock.
            run_env.pop("AIRFLOW__CORE__AUTH_MANAGER", None)
        migrate = subprocess.run(
            [str(airflow), "db", "migrate"], env=run_env, capture_output=True, text=True, timeout=600
        )
        assert migrate.returncode == 0, (
            f"airflow db migrate failed:\n{migrate.stdout[-3000:]}\n{migrate.stderr[-3000:]}"
        )
        check = subprocess.run(
            [str(airflow), "db", "check-migrations", "-t", "0"],
            env=run_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stderr[-2000:]
        query = (
            "import psycopg2, sys; c = psycopg2.connect(sys.argv[1]); cur = c.cursor(); "
            "cur.execute(\"select table_name from information_schema.tables where table_schema='public'\"); "
            "print(' '.join(sorted(r[0] for r in cur.fetchall())))"
        )
        dsn = url.set(drivername="postgresql", host="127.0.0.1", port=port).render_as_string(hide_password=False)
        tables = subprocess.run([str(python), "-c", query, dsn], env=env, capture_output=True, text=True, timeout=60)
        assert tables.returncode == 0, tables.stderr
        assert {"alembic_version", "dag", "dag_run", "task_instance"} <= set(tables.stdout.split())
    finally:
        if started:
            subprocess.run(
                [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                env=pg_env,
                capture_output=True,
                timeout=60,
                cwd=cluster,
            )
        shutil.rmtree(cluster, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
