"""``python -m iacviz``: the same as the ``iacviz`` command (see :mod:`iacviz.cli`)."""

from __future__ import annotations

import sys

from iacviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
