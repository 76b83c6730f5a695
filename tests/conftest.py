from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"  # the tier-2 samples, beside the repository


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


@pytest.fixture(scope="session")
def shared_data():
    """``need(*paths)``: ../shared/data after checking that each path in it exists.

    A missing sample is a test failure naming it, never a skip: CI always has the folder.
    """

    def need(*paths: str) -> Path:
        for path in paths:
            if not (SHARED_DATA / path).exists():
                pytest.fail(f"the tier-2 sample data is missing: expected {SHARED_DATA / path} "
                            "(../shared/data beside the repository)")
        return SHARED_DATA

    return need


def toc_files() -> list[str]:
    """Every document of _toc.yml, root first, as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def lesson_sources() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def homework_sources() -> list[Path]:
    """The homework masters' .py sources (homework/hwN_topic.py)."""
    return sorted((ROOT / "homework").glob("hw*.py"))
