"""``python -m training [name ...]``: train the named checkpoints (all by default), one
after the other, each with two threads."""

from __future__ import annotations

import argparse
import importlib

from training.common import log

RUNS = {  # checkpoint name -> the module that trains it
    "multi30k-de-en-transformer": "training.translation",
    "shakespeare-char-gpt": "training.chargpt",
    "mini-bert-mlm": "training.mlm",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[[], *RUNS], metavar="name",
                        help=f"checkpoints to train, of: {', '.join(RUNS)} (default: all)")
    names = parser.parse_args().names or list(RUNS)
    for name in names:
        log(f"training {name}")
        entry = importlib.import_module(RUNS[name]).run()
        log(f"{name}: cpu {entry['record']['cpu_s']:.0f} s, wall {entry['record']['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
