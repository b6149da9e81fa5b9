"""Small standard-library client for the Public Health Scotland CKAN open-data API.

Only read-only actions the pipeline needs are covered: look up a dataset, page
through a datastore table and download a resource to disk atomically, with
retries on transient failures and a host allow-list so that URLs taken from API
responses cannot send us elsewhere.

`fetch_resource` downloads one resource of a package and reads the package again
afterwards: if the resource's metadata changed meanwhile (a new upload), the file is
discarded and the download retried, a bounded number of times. File names taken
from CKAN must be one plain name (`safe_filename`); anything else is refused, not
repaired. `land_resource` puts a fetched file into the raw archive.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from transforms.fsync import fsync_dir

__all__ = ["CkanClient", "CkanError", "ContentMismatch", "DownloadResult", "safe_filename"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = 60.0
CHUNK_SIZE = 64 * 1024
_RESOURCE_ID = re.compile(r"^[A-Za-z0-9-]+$")
# A local file name taken from CKAN: one component, ASCII, no leading dot, bounded.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_SHA256_HEX = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})$")
# What a new upload of a resource changes; compared before and after a download.
FINGERPRINT_FIELDS = ("id", "url", "last_modified", "size", "hash")
METADATA_ATTEMPTS = 3

T = TypeVar("T")


class CkanError(Exception):
    """A CKAN request failed or returned something unusable; the message names the URL."""


class ContentMismatch(CkanError):
    """The downloaded bytes do not have the expected size or SHA-256."""


class _TruncatedBody(Exception):
    """The body ended before Content-Length bytes arrived (treated as transient)."""


_TRANSIENT = (ConnectionError, TimeoutError, http.client.IncompleteRead, _TruncatedBody)


@dataclass(frozen=True)
class DownloadResult:
    """Provenance of a completed download, to be recorded alongside the file."""

    path: Path
    sha256: str
    size_bytes: int
    url: str
    retrieved_at: str  # ISO-8601 UTC, e.g. 2024-05-01T12:00:00Z


def _utc_now() -> str:
    """Timestamp downloads in one unambiguous format (UTC, second precision)."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _retry_after(headers: Any) -> float | None:
    """Read a numeric Retry-After header (seconds), capped so a server cannot stall us."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None  # absent, or an HTTP-date, which we do not honour
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)


def _describe(exc: BaseException) -> str:
    """Give a one-line description of a low-level error for messages."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _error_snippet(exc: urllib.error.HTTPError) -> str:
    """Read the start of an error body (CKAN puts its reason there) and release the socket."""
    try:
        return exc.read(300).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        exc.close()


def safe_filename(name: object, context: str) -> str:
    """Refuse a CKAN-supplied file name that is not one plain name, so it cannot leave its folder."""
    if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name):
        raise CkanError(
            f"{context}: refusing file name {name!r}: expected one plain name of letters, "
            "digits, '.', '_' and '-' (no path separators, NUL or leading dot); "
            "pass filename= to choose one"
        )
    return name


def _declared_size(resource: dict) -> int | None:
    """The resource's `size` when CKAN gives a usable byte count (often it is null)."""
    size = resource.get("size")
    if isinstance(size, bool):
        return None
    if isinstance(size, int) and size >= 0:
        return size
    if isinstance(size, str) and size.strip().isdigit():
        return int(size.strip())
    return None


def _declared_sha256(resource: dict) -> str | None:
    """The resource's `hash` when it is a SHA-256 (CKAN's field is free text; others are ignored)."""
    match = _SHA256_HEX.fullmatch(str(resource.get("hash") or "").strip())
    return match.group(1).lower() if match else None


def _fingerprint(package: dict, resource: dict) -> dict[str, Any]:
    """The package id and the resource fields a new upload changes."""
    return {"package": package.get("id"), **{key: resource.get(key) for key in FINGERPRINT_FIELDS}}


def _describe_change(before: dict[str, Any], after: dict[str, Any] | None) -> str:
    """Say which fingerprint fields changed, for the error message."""
    if after is None:
        return "the resource is no longer in the package"
    return ", ".join(f"{key} {before[key]!r} -> {after.get(key)!r}" for key in before if before[key] != after.get(key))


class CkanClient:
    """Read-only client for one CKAN instance, restricted to an allow-list of hosts."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        allowed_hosts: tuple[str, ...] | None = None,
        user_agent: str = "hscp-indicators",
    ) -> None:
        """Validate settings up front so misconfiguration fails before any request."""
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CkanError(f"{base_url}: base URL must be an absolute http(s) URL")
        if retries < 0 or backoff < 0 or timeout <= 0:
            raise ValueError("retries and backoff must be >= 0 and timeout > 0")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.user_agent = user_agent
        hosts = allowed_hosts if allowed_hosts is not None else (parts.hostname,)
        self.allowed_hosts = frozenset(h.strip().lower() for h in hosts)
        self._opener = urllib.request.build_opener(_CheckedRedirects(self._check_url))

    # -- public API -----------------------------------------------------------

    def package_show(self, package_id: str) -> dict:
        """Fetch a dataset's metadata, including its list of resources."""
        return self._action("package_show", {"id": package_id})

    def datastore_search(self, resource_id: str, limit: int = 100, offset: int = 0) -> dict:
        """Fetch one page of rows from a datastore table (fields, records, total)."""
        self._check_resource_id(resource_id)
        return self._action("datastore_search", {"id": resource_id, "limit": limit, "offset": offset})

    @staticmethod
    def find_resource(package: dict, name_or_id: str) -> dict:
        """Pick one resource from package_show output by exact id, else by unique name."""
        resources = package.get("resources") or []
        for res in resources:
            if res.get("id") == name_or_id:
                return res
        matches = [res for res in resources if res.get("name") == name_or_id]
        label = package.get("name") or package.get("id") or "<unknown package>"
        if len(matches) == 1:
            return matches[0]
        if matches:
            ids = ", ".join(str(res.get("id")) for res in matches)
            raise CkanError(f"package {label}: resource name {name_or_id!r} is ambiguous (ids: {ids})")
        names = ", ".join(repr(res.get("name")) for res in resources) or "none"
        raise CkanError(f"package {label}: no resource with id or name {name_or_id!r}; available: {names}")

    def download_resource(
        self,
        resource_id: str,
        dest: Path,
        *,
        expected_sha256: str | None = None,
        expected_size: int | None = None,
    ) -> DownloadResult:
        """Download a datastore resource's full dump to dest atomically, with its checksum."""
        self._check_resource_id(resource_id)
        url = f"{self.base_url}/datastore/dump/{resource_id}"
        return self.download_url(url, dest, expected_sha256=expected_sha256, expected_size=expected_size)

    def download_url(
        self,
        url: str,
        dest: Path,
        *,
        expected_sha256: str | None = None,
        expected_size: int | None = None,
    ) -> DownloadResult:
        """Download any allowed URL (e.g. a resource's "url" field) to dest atomically."""
        dest = Path(dest)
        if not dest.parent.is_dir():
            raise CkanError(f"{url}: destination directory {dest.parent} does not exist")
        if dest.is_symlink():
            raise CkanError(f"{url}: refusing to write over symlink {dest}")

        def save(resp: http.client.HTTPResponse) -> DownloadResult:
            return self._stream_to(resp, url, dest, expected_sha256, expected_size)

        return self._request(url, save)

    def fetch_resource(
        self,
        package_id: str,
        name_or_id: str,
        dest_dir: Path,
        *,
        filename: str | None = None,
        attempts: int = METADATA_ATTEMPTS,
    ) -> DownloadResult:
        """Download one resource of a package into dest_dir, only if its metadata held still.

        Each attempt reads package_show, downloads to a hidden folder in dest_dir
        (checked against the declared size and SHA-256 when CKAN gives them), reads
        package_show again and renames the file into place only if the package id
        and the resource's id, url, last_modified, size and hash are unchanged.
        Otherwise the file is discarded and the next attempt starts; after
        `attempts` the error names the resource and what changed.
        """
        if attempts < 1:
            raise ValueError("attempts must be >= 1")
        dest_dir = Path(dest_dir)
        if dest_dir.is_symlink() or not dest_dir.is_dir():
            raise CkanError(f"destination {dest_dir} must be an existing folder, not a symlink")
        changes: list[str] = []
        label = f"package {package_id!r} resource {name_or_id!r}"
        for attempt in range(attempts):
            package = self.package_show(package_id)
            if package_id not in (package.get("id"), package.get("name")):
                raise CkanError(
                    f"{label}: asked for package {package_id!r}, the server answered "
                    f"{package.get('name')!r} (id {package.get('id')!r})"
                )
            resource = self.find_resource(package, name_or_id)
            label = f"package {package_id!r} resource {resource.get('name')!r} (id {resource.get('id')!r})"
            before = _fingerprint(package, resource)
            url, expected_size, expected_sha256 = self._resource_source(resource)
            name = self._local_name(resource, url, filename, label)
            final = dest_dir / name
            staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=dest_dir))
            try:
                failure: CkanError | None = None
                try:
                    result = self.download_url(
                        url, staging / name, expected_sha256=expected_sha256, expected_size=expected_size
                    )
                except CkanError as exc:  # perhaps a new upload under the old metadata or URL
                    failure = exc
                try:
                    after = self._recheck(package_id, resource)
                except CkanError as recheck_failure:
                    if failure is not None:
                        raise failure from recheck_failure  # the first error is the one to report
                    raise
                if after != before:
                    changes.append(_describe_change(before, after))
                    if attempt + 1 < attempts:
                        time.sleep(self.backoff * 2**attempt)
                    continue
                if isinstance(failure, ContentMismatch):
                    raise CkanError(f"{label}: the file does not match its unchanged metadata: {failure}") from failure
                if failure is not None:
                    raise failure
                if final.is_symlink():
                    raise CkanError(f"{label}: refusing to write over symlink {final}")
                os.replace(result.path, final)
                fsync_dir(dest_dir, best_effort=True)
                return DownloadResult(final, result.sha256, result.size_bytes, result.url, result.retrieved_at)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        raise CkanError(
            f"{label}: the metadata changed during the download on each of {attempts} "
            f"attempt(s); nothing was kept. Changes seen: {'; '.join(changes)}"
        )

    def land_resource(
        self,
        source: str,
        package_id: str,
        name_or_id: str,
        raw_dir: Path,
        *,
        filename: str | None = None,
        restricted: bool = False,
        attempts: int = METADATA_ATTEMPTS,
    ) -> tuple[Any, bool]:
        """Fetch a resource to a private scratch folder and land it in the raw archive."""
        from transforms import archive  # pyarrow-heavy; only needed here

        scratch = Path(tempfile.mkdtemp(prefix="hscp-ckan-"))
        try:
            fetched = self.fetch_resource(package_id, name_or_id, scratch, filename=filename, attempts=attempts)
            return archive.land(source, fetched.path, Path(raw_dir), restricted=restricted, origin_label=fetched.url)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    # -- internals ------------------------------------------------------------

    def _resource_source(self, resource: dict) -> tuple[str, int | None, str | None]:
        """The URL to download and the size and SHA-256 it should have, if CKAN declares them."""
        url = resource.get("url")
        if url:
            if not isinstance(url, str):
                raise CkanError(f"resource {resource.get('id')!r}: 'url' is not a string: {url!r}")
            return url, _declared_size(resource), _declared_sha256(resource)
        # No uploaded file: the datastore dump, which the size and hash do not describe.
        resource_id = resource.get("id")
        self._check_resource_id(resource_id)
        return f"{self.base_url}/datastore/dump/{resource_id}", None, None

    @staticmethod
    def _local_name(resource: dict, url: str, filename: str | None, label: str) -> str:
        """The name to save under: the caller's, else the URL's last segment, else the id; checked."""
        if filename is not None:
            candidate = filename
        elif resource.get("url"):
            candidate = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
        else:
            candidate = f"{resource.get('id')}.csv"
        return safe_filename(candidate, label)

    def _recheck(self, package_id: str, resource: dict) -> dict[str, Any] | None:
        """Read the package again: the resource's fingerprint now, or None if it is gone."""
        package = self.package_show(package_id)
        for candidate in package.get("resources") or []:
            if candidate.get("id") == resource.get("id"):
                return _fingerprint(package, candidate)
        return None

    def _check_url(self, url: str) -> None:
        """Refuse non-http(s) URLs and hosts outside the allow-list before connecting."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise CkanError(f"{url}: refusing scheme {parts.scheme!r}; only http and https are allowed")
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            allowed = ", ".join(sorted(self.allowed_hosts))
            raise CkanError(f"{url}: host {host!r} is not in allowed_hosts ({allowed})")

    @staticmethod
    def _check_resource_id(resource_id: str) -> None:
        """Reject ids that could escape the URL path (e.g. '../')."""
        if not isinstance(resource_id, str) or not _RESOURCE_ID.fullmatch(resource_id):
            raise CkanError(f"invalid resource id {resource_id!r}: expected letters, digits and '-'")

    def _action(self, action: str, params: dict[str, Any]) -> dict:
        """Call a CKAN action API endpoint and unwrap its success/result envelope."""
        url = f"{self.base_url}/api/3/action/{action}?{urllib.parse.urlencode(params)}"

        def parse(resp: http.client.HTTPResponse) -> dict:
            try:
                payload = json.loads(resp.read())
            except ValueError as exc:
                raise CkanError(f"{url}: response is not valid JSON ({exc})") from exc
            if not isinstance(payload, dict) or payload.get("success") is not True:
                error = payload.get("error") if isinstance(payload, dict) else payload
                raise CkanError(f"{url}: CKAN reported failure: {error!r}")
            result = payload.get("result")
            if not isinstance(result, dict):
                raise CkanError(f"{url}: 'result' is missing or not an object")
            return result

        return self._request(url, parse)

    def _request(self, url: str, handle: Callable[[http.client.HTTPResponse], T]) -> T:
        """GET url and pass the open response to handle, retrying transient failures."""
        self._check_url(url)
        attempts = self.retries + 1
        last_error = "no attempt made"
        for attempt in range(attempts):
            delay = self.backoff * 2**attempt
            request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
            try:
                with self._opener.open(request, timeout=self.timeout) as resp:
                    return handle(resp)
            except urllib.error.HTTPError as exc:
                snippet = _error_snippet(exc)
                last_error = f"HTTP {exc.code} {exc.reason}" + (f": {snippet}" if snippet else "")
                if exc.code not in RETRY_STATUSES:
                    raise CkanError(f"GET {exc.url or url} failed: {last_error}") from exc
                if exc.code in RETRY_AFTER_STATUSES:
                    retry_after = _retry_after(exc.headers)
                    delay = delay if retry_after is None else retry_after
            except urllib.error.URLError as exc:
                if not isinstance(exc.reason, _TRANSIENT):
                    raise CkanError(f"GET {url} failed: {exc.reason}") from exc
                last_error = _describe(exc.reason)
            except _TRANSIENT as exc:
                last_error = _describe(exc)
            except (OSError, http.client.HTTPException) as exc:
                raise CkanError(f"GET {url} failed: {_describe(exc)}") from exc
            if attempt + 1 < attempts:
                time.sleep(delay)
        raise CkanError(f"GET {url} failed after {attempts} attempt(s); last error: {last_error}")

    @staticmethod
    def _stream_to(
        resp: http.client.HTTPResponse,
        url: str,
        dest: Path,
        expected_sha256: str | None,
        expected_size: int | None,
    ) -> DownloadResult:
        """Stream a body to a temp file beside dest, verify it, then rename it into place."""
        declared = resp.headers.get("Content-Length")
        if declared is not None and not declared.strip().isdigit():
            raise CkanError(f"{url}: invalid Content-Length {declared!r}")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                while chunk := resp.read(CHUNK_SIZE):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                if declared is not None and size != int(declared):
                    raise _TruncatedBody(f"truncated body: received {size} of {int(declared)} bytes")
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            if expected_size is not None and size != expected_size:
                raise ContentMismatch(f"{url}: size mismatch: expected {expected_size} bytes, got {size}")
            if expected_sha256 is not None and sha256 != expected_sha256.strip().lower():
                raise ContentMismatch(f"{url}: sha256 mismatch: expected {expected_sha256}, got {sha256}")
            os.replace(tmp_name, dest)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise
        fsync_dir(dest.parent, best_effort=True)
        return DownloadResult(dest, sha256, size, resp.geturl() or url, _utc_now())


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Apply the host allow-list to redirect targets too, before following them."""

    def __init__(self, check_url: Callable[[str], None]) -> None:
        """Keep the client's URL check to run on every redirect."""
        self._check_url = check_url

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        """Refuse a redirect whose target is not allowed; otherwise defer to urllib."""
        try:
            self._check_url(newurl)
        except CkanError:
            fp.close()
            raise
        return super().redirect_request(req, fp, code, msg, headers, newurl)
