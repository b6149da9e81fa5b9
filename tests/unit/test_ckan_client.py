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
