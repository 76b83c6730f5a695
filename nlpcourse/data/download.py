"""Downloading the opt-in data sets into the cache, safely (tier 2 in the course design).

First used in notebooks/10_text_classification.

One rule holds for every file: what sits in the cache is either the complete file with
the expected sha256 or nothing. A download streams into a temporary file beside its
final place (with a tqdm progress bar), is hashed on the way, and is renamed into place
only when the hash matches; an error, a wrong checksum or Ctrl-C leaves no partial file.

Where files come from:

* upstream (each :class:`RemoteFile` names its own URL), or
* ``NLPCOURSE_MIRROR``, which replaces the base URL: the file is read from
  ``{NLPCOURSE_MIRROR}/{dataset}/{file name}``. A plain folder or a ``file://`` URL
  works, which is how the tests exercise this code without a network, and how a
  class can share one copy on a lab server.

Where files go: ``cache_dir(dataset)``, i.e. ``$NLPCOURSE_CACHE/{dataset}/`` (default
``~/.cache/nlpcourse``). A file put there by hand is used if its sha256 is right.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tqdm import tqdm

from nlpcourse.data.files import DataFileError, atomic_path, cache_dir, sha256_of

__all__ = ["MIRROR_ENV", "DownloadError", "RemoteFile", "RemoteDataset", "source_url", "fetch"]

MIRROR_ENV = "NLPCOURSE_MIRROR"
_CHUNK = 1 << 18  # 256 KiB: small enough for a lively progress bar, large enough to be fast
_TIMEOUT = 60  # seconds without an answer before a connection counts as dead


class DownloadError(DataFileError):
    """A file could not be fetched: the host is unreachable or the transfer broke off."""


@dataclass(frozen=True)
class RemoteFile:
    """One upstream file: its name (in the cache and in a mirror), URL, sha256 and size."""

    name: str
    url: str
    sha256: str
    size: int  # bytes; the progress bar's total and a cheap first check of a cached copy


@dataclass(frozen=True)
class RemoteDataset:
    """A downloadable data set: what it is, under which terms, and its files."""

    name: str
    description: str
    licence: str
    homepage: str
    files: tuple[RemoteFile, ...]

    @property
    def size(self) -> int:
        """Total download size in bytes."""
        return sum(remote.size for remote in self.files)

    def file(self, name: str) -> RemoteFile:
        for remote in self.files:
            if remote.name == name:
                return remote
        raise KeyError(f"data set {self.name!r} has no file {name!r}")


def source_url(dataset: str, remote: RemoteFile) -> str:
    """The URL ``remote`` is fetched from: the mirror's copy if ``NLPCOURSE_MIRROR`` is set."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if not mirror:
        return remote.url
    if "://" not in mirror:  # a plain folder: turn it into a file:// URL
        mirror = Path(mirror).expanduser().resolve().as_uri()
    return f"{mirror.rstrip('/')}/{urllib.parse.quote(dataset)}/{urllib.parse.quote(remote.name)}"


def fetch(dataset: str, remote: RemoteFile, *, progress: bool = True) -> Path:
    """Return the path of ``remote`` in the cache, downloading it first if needed.

    A cached copy is used when its sha256 is right (no network is touched then).
    Otherwise the file is downloaded from :func:`source_url`, checked, and renamed into
    place. Raises :class:`DownloadError` (host unreachable, transfer cut) or
    :class:`DataFileError` (wrong checksum); in both cases the cache keeps nothing new.
    """
    final = cache_dir(dataset) / remote.name
    if _is_intact(final, remote):
        return final
    url = source_url(dataset, remote)
    with atomic_path(final) as partial:
        actual = _download(url, partial, dataset, remote, final, progress)
        if actual != remote.sha256:
            raise DataFileError(_mismatch_message(url, actual, remote, final))
    return final


def _is_intact(path: Path, remote: RemoteFile) -> bool:
    # The size test spares hashing a file that is obviously wrong (e.g. a cut download).
    return path.is_file() and path.stat().st_size == remote.size and sha256_of(path) == remote.sha256


def _download(url: str, target: Path, dataset: str, remote: RemoteFile, final: Path, progress: bool) -> str:
    """Stream ``url`` into ``target`` and return the sha256 of what arrived."""
    try:
        response = urllib.request.urlopen(url, timeout=_TIMEOUT)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        # from None: the reader gets one message that says what to do, not two tracebacks
        raise DownloadError(_unreachable_message(url, error, dataset, remote, final)) from None
    with response, open(target, "wb") as out, tqdm(
        total=remote.size, unit="B", unit_scale=True, unit_divisor=1024,
        desc=f"{dataset}/{remote.name}", disable=not progress,
    ) as bar:
        return _copy_and_hash(response, out, bar, url, dataset, remote, final)


def _copy_and_hash(
    response: BinaryIO, out: BinaryIO, bar: tqdm, url: str, dataset: str, remote: RemoteFile, final: Path
) -> str:
    digest, received = hashlib.sha256(), 0  # counted here: a disabled tqdm counts nothing
    while True:
        try:
            chunk = response.read(_CHUNK)
        except (http.client.HTTPException, OSError) as error:
            # Only read errors are caught here: a full disk while writing is not a network
            # problem and must not be reported as one.
            cut = f"broke off after {received:,} of {remote.size:,} bytes"
            raise DownloadError(_unreachable_message(url, error, dataset, remote, final, cut)) from None
        if not chunk:
            return digest.hexdigest()
        out.write(chunk)
        digest.update(chunk)
        received += len(chunk)
        bar.update(len(chunk))


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)  # URLError wraps the socket error in .reason
    text = str(reason if reason is not None and not isinstance(error, urllib.error.HTTPError) else error)
    return text or type(error).__name__


def _unreachable_message(
    url: str, error: BaseException, dataset: str, remote: RemoteFile, final: Path, what: str = "failed"
) -> str:
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    lines = [
        f"download of {url} {what} ({_reason(error)}); nothing was kept.",
        "Run again if the connection was only interrupted; if this machine is offline or the host is down, either",
        f"  1. set {MIRROR_ENV} to a folder or URL that holds {dataset}/{remote.name}, e.g. "
        f"{MIRROR_ENV}=/path/to/mirror for /path/to/mirror/{dataset}/{remote.name}"
        + (f" (it is now {mirror!r})" if mirror else "")
        + ", or",
        f"  2. download {remote.url} by hand and save it as {final}",
        f"     (it must have sha256 {remote.sha256}).",
    ]
    if final.is_file():  # e.g. a copy placed by hand that is of another version
        lines.append(f"The file already at {final} has sha256 {sha256_of(final)}, not the expected one: replace it.")
    return "\n".join(lines)


def _mismatch_message(url: str, actual: str, remote: RemoteFile, final: Path) -> str:
    return (
        f"downloaded {url} but its sha256 is {actual}, expected {remote.sha256}; "
        f"nothing was kept in {final.parent}. The transfer was corrupted or the file there is "
        f"another version. Run again to retry; if it persists, check {MIRROR_ENV} (if set) or "
        f"save a copy with the expected checksum as {final}, and tell the course maintainers "
        f"if upstream has changed."
    )
