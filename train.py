#!/usr/bin/env python
"""Retrain Slant's model from the labelled corpora: ``python train.py [--data DIR] [--output DIR]``.

A thin wrapper over ``slant train`` (see ``classifier/cli.py`` and
``classifier/training.py``); it defines nothing of its own so that the pickled
model only refers to importable library classes.
"""

import sys

from classifier.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
