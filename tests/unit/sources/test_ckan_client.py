"""Tests for transforms.sources.ckan against a fake CKAN server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from transforms.sources import ckan as ckan_module
from transforms.sources.ckan import CkanClient, CkanError, DownloadResult

RESOURCE_ID = "a1b2c3d4-0000-4e5f-9999-123456789abc"
DUMP_PATH = f"/datastore/dump/{RESOURCE_ID}"
PACKAGE = {
    "id": "pkg-1",
    "name": "hospital-admissions",
    "resources": [
        {"id": RESOURCE_ID, "name": "Admissions by HSCP"},
        {"id": "ffff-0001", "name": "Admissions by Health Board"},
    ],
}


@dataclass
class Reply:
    """One scripted response; truncate_to sends fewer bytes than Content-Length."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate_to: int | None = None


def json_reply(payload: object, status: int = 200) -> Reply:
    """Build a JSON reply like CKAN's action API sends."""
    return Reply(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})


class FakeCkan:
    """Scripted responses per path (served in order, the last one repeats) and a request log."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.url = ""

    def on(self, path: str, *replies: Reply) -> None:
        """Script the replies for a path (query string ignored)."""
        self.routes[path] = list(replies)

    def next_reply(self, raw_path: str) -> Reply:
        """Log the request and pick the reply to serve for it."""
        path = urllib.parse.urlsplit(raw_path).path
        with self.lock:
            self.requests.append(raw_path)
            queue = self.routes.get(path)
            if not queue:
                return Reply(404, b"not found")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def count(self, path: str) -> int:
        """How many requests reached a path."""
        with self.lock:
            return sum(urllib.parse.urlsplit(p).path == path for p in self.requests)


class Handler(BaseHTTPRequestHandler):
    """Serve whatever the FakeCkan attached to the server has scripted."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        reply = self.server.fake.next_reply(self.path)
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            body = reply.body if reply.truncate_to is None else reply.body[: reply.truncate_to]
            self.wfile.write(body)
            if reply.truncate_to is not None:
                self.close_connection = True
        except OSError:
            pass  # the client gave up (timeout tests)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sure requests go straight to 127.0.0.1 whatever the environment says."""
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def fake():
    """Run a fake CKAN server in a background thread for one test."""
    state = FakeCkan()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.fake = state
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def client(fake: FakeCkan) -> CkanClient:
    """A client with fast retries aimed at the fake server."""
    return CkanClient(fake.url, timeout=2.0, retries=2, backoff=0)


def leftovers(directory) -> list[str]:
    """Names of temporary download files left in a directory."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


# -- action API ---------------------------------------------------------------


def test_package_show_returns_result(fake: FakeCkan, client: CkanClient) -> None:
    fake.on("/api/3/action/package_show", json_reply({"success": True, "result": PACKAGE}))
    assert client.package_show("hospital-admissions") == PACKAGE
    assert fake.requests == ["/api/3/action/package_show?id=hospital-admissions"]


def test_package_show_success_false_raises(fake: FakeCkan, client: CkanClient) -> None:
    fake.on("/api/3/action/package_show", json_reply({"success": False, "error": {"message": "Not authorised"}}))
    with pytest.raises(CkanError, match="Not authorised") as info:
        client.package_show("secret")
    assert "/api/3/action/package_show?id=secret" in str(info.value)


def test_package_show_invalid_json_raises(fake: FakeCkan, client: CkanClient) -> None:
    fake.on("/api/3/action/package_show", Reply(200, b"<html>maintenance</html>"))
    with pytest.raises(CkanError, match="not valid JSON"):
        client.package_show("x")


def test_not_found_fails_at_once(fake: FakeCkan, client: CkanClient) -> None:
    fake.on("/api/3/action/package_show", json_reply({"success": False, "error": {"message": "Not found"}}, 404))
    with pytest.raises(CkanError, match="HTTP 404.*Not found"):
        client.package_show("missing")
    assert fake.count("/api/3/action/package_show") == 1


def test_datastore_search_sends_paging(fake: FakeCkan, client: CkanClient) -> None:
    result = {"records": [{"_id": 1}], "total": 1}
    fake.on("/api/3/action/datastore_search", json_reply({"success": True, "result": result}))
    assert client.datastore_search(RESOURCE_ID, limit=5, offset=10) == result
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(fake.requests[0]).query)
    assert query == {"id": [RESOURCE_ID], "limit": ["5"], "offset": ["10"]}


def test_find_resource_by_name_and_id() -> None:
    assert CkanClient.find_resource(PACKAGE, "Admissions by HSCP")["id"] == RESOURCE_ID
    assert CkanClient.find_resource(PACKAGE, "ffff-0001")["name"] == "Admissions by Health Board"
    with pytest.raises(CkanError) as info:
        CkanClient.find_resource(PACKAGE, "Deaths")
    message = str(info.value)
    assert "hospital-admissions" in message
    assert "Admissions by HSCP" in message and "Admissions by Health Board" in message


# -- downloads ----------------------------------------------------------------


def test_download_matches_sha256(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    body = b"hscp,admissions\n" + b"S37000001,42\n" * 20_000  # several chunks
    fake.on(DUMP_PATH, Reply(200, body, {"Content-Type": "text/csv"}))
    dest = tmp_path / "admissions.csv"
    result = client.download_resource(RESOURCE_ID, dest, expected_size=len(body))
    assert isinstance(result, DownloadResult)
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.size_bytes == len(body)
    assert result.path == dest and dest.read_bytes() == body
    assert result.url == f"{fake.url}{DUMP_PATH}"
    assert result.retrieved_at.endswith("Z") and "T" in result.retrieved_at
    assert leftovers(tmp_path) == []


def test_retry_after_503_then_success(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(DUMP_PATH, Reply(503, b"busy"), Reply(200, b"a,b\n1,2\n"))
    result = client.download_resource(RESOURCE_ID, tmp_path / "out.csv")
    assert result.sha256 == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert fake.count(DUMP_PATH) == 2


def test_429_with_retry_after_zero_then_success(fake: FakeCkan, client: CkanClient) -> None:
    fake.on(
        "/api/3/action/package_show",
        Reply(429, b"slow down", {"Retry-After": "0"}),
        json_reply({"success": True, "result": PACKAGE}),
    )
    assert client.package_show("hospital-admissions")["id"] == "pkg-1"
    assert fake.count("/api/3/action/package_show") == 2


@pytest.mark.parametrize(("header", "expected"), [("7", 7.0), ("3600", 60.0), ("soon", 0.0)])
def test_retry_after_is_honoured_and_capped(fake, monkeypatch, header: str, expected: float) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(ckan_module, "time", SimpleNamespace(sleep=sleeps.append))
    fake.on(
        "/api/3/action/package_show",
        Reply(429, b"", {"Retry-After": header}),
        json_reply({"success": True, "result": PACKAGE}),
    )
    CkanClient(fake.url, retries=1, backoff=0).package_show("p")
    assert sleeps == [expected]


def test_backoff_is_exponential(fake: FakeCkan, monkeypatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(ckan_module, "time", SimpleNamespace(sleep=sleeps.append))
    fake.on("/api/3/action/package_show", Reply(502, b""))
    with pytest.raises(CkanError):
        CkanClient(fake.url, retries=3, backoff=0.5).package_show("p")
    assert sleeps == [0.5, 1.0, 2.0]  # no sleep after the last attempt


def test_500_forever_gives_up_after_retries(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(DUMP_PATH, Reply(500, b"boom"))
    with pytest.raises(CkanError, match=r"after 3 attempt\(s\).*HTTP 500") as info:
        client.download_resource(RESOURCE_ID, tmp_path / "out.csv")
    assert DUMP_PATH in str(info.value)
    assert fake.count(DUMP_PATH) == client.retries + 1
    assert list(tmp_path.iterdir()) == []


def test_truncated_body_leaves_no_file(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(DUMP_PATH, Reply(200, b"x" * 10_000, truncate_to=1_000))
    dest = tmp_path / "out.csv"
    with pytest.raises(CkanError, match="truncated body: received 1000 of 10000 bytes"):
        client.download_resource(RESOURCE_ID, dest)
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []
    assert fake.count(DUMP_PATH) == client.retries + 1  # treated as transient


def test_truncated_then_complete_succeeds(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    body = b"y" * 5_000
    fake.on(DUMP_PATH, Reply(200, body, truncate_to=10), Reply(200, body))
    result = client.download_resource(RESOURCE_ID, tmp_path / "out.csv")
    assert result.size_bytes == len(body) and (tmp_path / "out.csv").read_bytes() == body


def test_checksum_mismatch_keeps_existing_dest(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(DUMP_PATH, Reply(200, b"new contents\n"))
    dest = tmp_path / "out.csv"
    dest.write_bytes(b"previous good release\n")
    with pytest.raises(CkanError, match="sha256 mismatch"):
        client.download_resource(RESOURCE_ID, dest, expected_sha256="0" * 64)
    assert dest.read_bytes() == b"previous good release\n"
    assert leftovers(tmp_path) == []
    assert fake.count(DUMP_PATH) == 1  # a wrong file is not retried


def test_size_mismatch_raises(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(DUMP_PATH, Reply(200, b"12345"))
    with pytest.raises(CkanError, match="size mismatch: expected 6 bytes, got 5"):
        client.download_resource(RESOURCE_ID, tmp_path / "out.csv", expected_size=6)
    assert list(tmp_path.iterdir()) == []


# -- safety checks ------------------------------------------------------------


def test_host_not_allowed_makes_no_request(fake: FakeCkan, tmp_path) -> None:
    fake.on("/api/3/action/package_show", json_reply({"success": True, "result": PACKAGE}))
    guarded = CkanClient(fake.url, backoff=0, allowed_hosts=("www.opendata.nhs.scot",))
    with pytest.raises(CkanError, match="not in allowed_hosts"):
        guarded.package_show("hospital-admissions")
    with pytest.raises(CkanError, match="not in allowed_hosts"):
        guarded.download_resource(RESOURCE_ID, tmp_path / "out.csv")
    assert fake.requests == []


def test_resource_url_on_other_host_is_refused(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    for url in ("http://evil.example/data.csv", f"http://user@evil.example:{fake.url.rsplit(':', 1)[1]}/x"):
        with pytest.raises(CkanError, match="evil.example"):
            client.download_url(url, tmp_path / "out.csv")
    with pytest.raises(CkanError, match="only http and https"):
        client.download_url("file:///etc/passwd", tmp_path / "out.csv")
    assert fake.requests == [] and list(tmp_path.iterdir()) == []


def test_redirect_to_other_host_is_refused(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    port = fake.url.rsplit(":", 1)[1]
    fake.on(DUMP_PATH, Reply(302, b"", {"Location": f"http://localhost:{port}/elsewhere"}))
    with pytest.raises(CkanError, match="'localhost' is not in allowed_hosts"):
        client.download_resource(RESOURCE_ID, tmp_path / "out.csv")
    assert fake.requests == [DUMP_PATH]


@pytest.mark.parametrize("bad_id", ["../etc/passwd", "abc/../../x", "..", "a b", "id?x=1", ""])
def test_resource_id_traversal_rejected(fake: FakeCkan, client: CkanClient, tmp_path, bad_id: str) -> None:
    with pytest.raises(CkanError, match="invalid resource id"):
        client.download_resource(bad_id, tmp_path / "out.csv")
    assert fake.requests == []


def test_constructor_rejects_non_http_base_url() -> None:
    with pytest.raises(CkanError, match="http"):
        CkanClient("ftp://www.opendata.nhs.scot")


def test_slow_response_times_out_and_retries(fake: FakeCkan, tmp_path) -> None:
    fake.on(DUMP_PATH, Reply(200, b"late", delay=1.0))
    slow_client = CkanClient(fake.url, timeout=0.2, retries=1, backoff=0)
    started = time.monotonic()
    with pytest.raises(CkanError, match=r"after 2 attempt\(s\).*(?i:timed out)"):
        slow_client.download_resource(RESOURCE_ID, tmp_path / "out.csv")
    assert time.monotonic() - started < 0.9  # gave up on timeouts, not by waiting for the server
    assert fake.count(DUMP_PATH) == 2
    assert list(tmp_path.iterdir()) == []


# -- metadata changing mid-download (fetch_resource) ---------------------------

FILE_PATH = f"/dataset/pkg-1/resource/{RESOURCE_ID}/download/admissions.csv"
SHOW_PATH = "/api/3/action/package_show"
OLD_BODY = b"hscp,admissions\nS37000001,42\n"
NEW_BODY = b"hscp,admissions\nS37000001,42\nS37000002,17\n"


def package(
    fake: FakeCkan,
    *,
    modified: str = "2024-05-01T09:00:00",
    package_id: str = "pkg-1",
    url_path: str = FILE_PATH,
    body: bytes | None = None,
    resource_id: str = RESOURCE_ID,
    name: str = "Admissions by HSCP",
) -> dict:
    """package_show's result with one uploaded resource; body, when given, sets size and hash."""
    resource = {
        "id": resource_id,
        "name": name,
        "url": f"{fake.url}{url_path}" if url_path else "",
        "last_modified": modified,
        "size": None,
        "hash": "",
    }
    if body is not None:
        resource.update(size=len(body), hash=f"sha256:{hashlib.sha256(body).hexdigest()}")
    return {"id": package_id, "name": "hospital-admissions", "resources": [resource]}


def shows(*packages: dict) -> list[Reply]:
    """package_show replies, served in this order."""
    return [json_reply({"success": True, "result": p}) for p in packages]


def files_under(folder) -> list[str]:
    """Every file (not folder) below folder, relative: what a failed fetch must not leave."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


def test_fetch_keeps_the_file_when_the_metadata_held_still(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(SHOW_PATH, *shows(package(fake, body=OLD_BODY)))
    fake.on(FILE_PATH, Reply(200, OLD_BODY))
    result = client.fetch_resource("hospital-admissions", "Admissions by HSCP", tmp_path)
    assert result.path == tmp_path / "admissions.csv" and result.path.read_bytes() == OLD_BODY
    assert result.sha256 == hashlib.sha256(OLD_BODY).hexdigest()
    assert fake.count(SHOW_PATH) == 2  # read before and after the download
    assert files_under(tmp_path) == ["admissions.csv"]  # no staging folder left


def test_metadata_changed_during_download_is_retried_and_the_new_file_kept(
    fake: FakeCkan, client: CkanClient, tmp_path
) -> None:
    v1, v2 = package(fake), package(fake, modified="2024-05-02T07:30:00")
    fake.on(SHOW_PATH, *shows(v1, v2, v2, v2))  # changed while the first download ran
    fake.on(FILE_PATH, Reply(200, OLD_BODY), Reply(200, NEW_BODY))
    raw = tmp_path / "raw"
    entry, is_new = client.land_resource("public_admissions", "hospital-admissions", RESOURCE_ID, raw)
    assert is_new and entry.sha256 == hashlib.sha256(NEW_BODY).hexdigest()
    assert fake.count(FILE_PATH) == 2 and fake.count(SHOW_PATH) == 4
    assert entry.origin == f"{fake.url}{FILE_PATH}"
    assert [p.name for p in (raw / "public_admissions").iterdir()] == [entry.vintage]  # the old file never landed
    assert (raw / "public_admissions" / entry.vintage / "admissions.csv").read_bytes() == NEW_BODY


def test_new_upload_under_the_old_size_and_hash_is_retried(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    before = package(fake, body=OLD_BODY)
    after = package(fake, body=NEW_BODY, modified="2024-05-02T07:30:00")
    fake.on(SHOW_PATH, *shows(before, after, after, after))
    fake.on(FILE_PATH, Reply(200, NEW_BODY))  # already the new file when the download started
    result = client.fetch_resource("hospital-admissions", RESOURCE_ID, tmp_path)
    assert result.path.read_bytes() == NEW_BODY
    assert fake.count(FILE_PATH) == 2
    assert files_under(tmp_path) == ["admissions.csv"]


def test_metadata_changing_on_every_attempt_fails_naming_the_resource(
    fake: FakeCkan, client: CkanClient, tmp_path
) -> None:
    versions = [package(fake, modified=f"2024-05-0{i}T00:00:00") for i in range(1, 8)]
    fake.on(SHOW_PATH, *shows(*versions))
    fake.on(FILE_PATH, Reply(200, OLD_BODY))
    raw = tmp_path / "raw"
    with pytest.raises(CkanError) as info:
        client.land_resource("public_admissions", "hospital-admissions", "Admissions by HSCP", raw, attempts=3)
    message = str(info.value)
    assert "'Admissions by HSCP'" in message and RESOURCE_ID in message
    assert "on each of 3 attempt(s); nothing was kept" in message
    assert "last_modified '2024-05-01T00:00:00' -> '2024-05-02T00:00:00'" in message
    assert fake.count(FILE_PATH) == 3 and fake.count(SHOW_PATH) == 6
    assert not raw.exists()  # nothing reached the archive


def test_recheck_answering_another_package_is_not_trusted(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    one, two = package(fake), package(fake, package_id="pkg-2")  # a load balancer between two sites
    fake.on(SHOW_PATH, *shows(one, two, one, two))
    fake.on(FILE_PATH, Reply(200, OLD_BODY))
    with pytest.raises(CkanError, match=r"on each of 2 attempt\(s\)") as info:
        client.fetch_resource("hospital-admissions", RESOURCE_ID, tmp_path, attempts=2)
    assert "package 'pkg-1' -> 'pkg-2'" in str(info.value)
    assert fake.count(FILE_PATH) == 2 and files_under(tmp_path) == []


def test_resource_gone_on_recheck_is_not_trusted(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(SHOW_PATH, *shows(package(fake), package(fake, resource_id="ffff-0002")))
    fake.on(FILE_PATH, Reply(200, OLD_BODY))
    with pytest.raises(CkanError, match="no longer in the package"):
        client.fetch_resource("hospital-admissions", RESOURCE_ID, tmp_path, attempts=1)
    assert files_under(tmp_path) == []


def test_first_answer_for_another_package_fails_at_once(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    other = package(fake)
    other["name"] = "deaths"
    fake.on(SHOW_PATH, *shows(other))
    with pytest.raises(CkanError, match="asked for package 'hospital-admissions', the server answered 'deaths'"):
        client.fetch_resource("hospital-admissions", RESOURCE_ID, tmp_path)
    assert fake.count(FILE_PATH) == 0


def test_file_not_matching_unchanged_metadata_fails_without_retry(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(SHOW_PATH, *shows(package(fake, body=NEW_BODY)))
    fake.on(FILE_PATH, Reply(200, OLD_BODY))
    with pytest.raises(CkanError, match="does not match its unchanged metadata.*size mismatch"):
        client.fetch_resource("hospital-admissions", RESOURCE_ID, tmp_path)
    assert fake.count(FILE_PATH) == 1 and files_under(tmp_path) == []


def test_resource_without_url_is_fetched_from_the_datastore_dump(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(SHOW_PATH, *shows(package(fake, url_path="")))
    fake.on(DUMP_PATH, Reply(200, OLD_BODY))
    result = client.fetch_resource("hospital-admissions", RESOURCE_ID, tmp_path)
    assert result.path == tmp_path / f"{RESOURCE_ID}.csv" and result.path.read_bytes() == OLD_BODY


# -- names and URLs from CKAN never write outside their folder -----------------


@pytest.mark.parametrize(
    "url_name",
    [
        "..%2F..%2Fescaped.csv",  # ../../escaped.csv once decoded
        "%2Ftmp%2Fescaped.csv",  # an absolute path
        "..",
        "escaped%00.csv",  # NUL
        "..%5C..%5Cescaped.csv",  # Windows separators
        ".escaped.csv",  # hidden, like our own temporary files
        "escaped%E2%88%95x.csv",  # U+2215, a slash look-alike
        "",  # a URL ending in '/'
    ],
)
def test_unsafe_file_name_in_resource_url_is_refused(fake: FakeCkan, client: CkanClient, tmp_path, url_name) -> None:
    path = f"/dataset/pkg-1/resource/{RESOURCE_ID}/download/{url_name}"
    fake.on(SHOW_PATH, *shows(package(fake, url_path=path)))
    fake.on(path, Reply(200, OLD_BODY))  # served, so only the name check stands in the way
    dest = tmp_path / "deep" / "er" / "dest"
    dest.mkdir(parents=True)
    with pytest.raises(CkanError, match="refusing file name") as info:
        client.fetch_resource("hospital-admissions", RESOURCE_ID, dest)
    assert "'Admissions by HSCP'" in str(info.value)
    assert fake.count(path) == 0  # refused before anything was downloaded
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("filename", ["../escaped.csv", "/tmp/escaped.csv", "a/b.csv", "a\x00.csv", ".."])
def test_unsafe_file_name_given_by_the_caller_is_refused(fake, client, tmp_path, filename) -> None:
    fake.on(SHOW_PATH, *shows(package(fake)))
    fake.on(FILE_PATH, Reply(200, OLD_BODY))
    raw = tmp_path / "raw"
    with pytest.raises(CkanError, match="refusing file name"):
        client.land_resource("public_admissions", "hospital-admissions", RESOURCE_ID, raw, filename=filename)
    assert fake.count(FILE_PATH) == 0 and files_under(tmp_path) == []


def test_resource_id_with_traversal_is_refused_for_the_dump(fake, client, tmp_path) -> None:
    fake.on(SHOW_PATH, *shows(package(fake, url_path="", resource_id="../../escaped")))
    with pytest.raises(CkanError, match="invalid resource id"):
        client.fetch_resource("hospital-admissions", "Admissions by HSCP", tmp_path)
    assert files_under(tmp_path) == []


def test_resource_url_on_another_host_never_reaches_the_archive(fake, client, tmp_path) -> None:
    evil = package(fake)
    evil["resources"][0]["url"] = "http://evil.example/download/admissions.csv"
    fake.on(SHOW_PATH, *shows(evil))
    raw = tmp_path / "raw"
    with pytest.raises(CkanError, match="'evil.example' is not in allowed_hosts"):
        client.land_resource("public_admissions", "hospital-admissions", RESOURCE_ID, raw)
    assert {urllib.parse.urlsplit(r).path for r in fake.requests} == {SHOW_PATH}
    assert not raw.exists()


def test_symlinked_source_folder_leading_out_of_the_archive_is_refused(fake, client, tmp_path) -> None:
    from transforms.archive import UnsafeArchivePath

    fake.on(SHOW_PATH, *shows(package(fake)))
    fake.on(FILE_PATH, Reply(200, OLD_BODY))
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    raw.mkdir()
    outside.mkdir()
    (raw / "public_admissions").symlink_to(outside)
    with pytest.raises(UnsafeArchivePath, match="outside the archive"):
        client.land_resource("public_admissions", "hospital-admissions", RESOURCE_ID, raw)
    assert list(outside.iterdir()) == []


def test_planted_vintage_symlink_is_refused_not_followed(fake, client, tmp_path) -> None:
    from transforms.archive import UnsafeArchivePath, vintage_name

    fake.on(SHOW_PATH, *shows(package(fake)))
    fake.on(FILE_PATH, Reply(200, OLD_BODY))
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    (raw / "public_admissions").mkdir(parents=True)
    outside.mkdir()
    vintage = vintage_name(hashlib.sha256(OLD_BODY).hexdigest())
    (raw / "public_admissions" / vintage).symlink_to(outside)
    with pytest.raises(UnsafeArchivePath, match="outside the archive"):
        client.land_resource("public_admissions", "hospital-admissions", RESOURCE_ID, raw)
    assert list(outside.iterdir()) == []
    # A dangling one (nothing to read through it) is refused too, and nothing is created.
    (raw / "public_admissions" / vintage).unlink()
    (raw / "public_admissions" / vintage).symlink_to(tmp_path / "not-there")
    with pytest.raises(UnsafeArchivePath):
        client.land_resource("public_admissions", "hospital-admissions", RESOURCE_ID, raw)
    assert not (tmp_path / "not-there").exists()
    assert [p.name for p in (raw / "public_admissions").iterdir()] == [vintage]  # no landing left


def test_download_over_a_symlinked_destination_is_refused(fake: FakeCkan, client: CkanClient, tmp_path) -> None:
    fake.on(DUMP_PATH, Reply(200, OLD_BODY))
    target = tmp_path / "precious.txt"
    target.write_bytes(b"keep me\n")
    dest_dir = tmp_path / "dest"
    dest_dir.mkdir()
    (dest_dir / "out.csv").symlink_to(target)
    with pytest.raises(CkanError, match="symlink"):
        client.download_resource(RESOURCE_ID, dest_dir / "out.csv")
    (tmp_path / "linked").symlink_to(dest_dir)
    with pytest.raises(CkanError, match="not a symlink"):
        client.fetch_resource("hospital-admissions", RESOURCE_ID, tmp_path / "linked")
    assert target.read_bytes() == b"keep me\n" and fake.count(DUMP_PATH) == 0
