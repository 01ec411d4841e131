"""``python -m iacviz.rules [--markdown]``: list the review rules, or print the catalogue page.

``python -m iacviz.rules --markdown > docs/rules.md`` regenerates ``docs/rules.md``.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Print the rules as ``id severity title`` lines, or the Markdown catalogue with ``--markdown``."""
    from . import catalogue_markdown, discover

    parser = argparse.ArgumentParser(prog="python -m iacviz.rules", description=main.__doc__)
    parser.add_argument("--markdown", action="store_true", help="print docs/rules.md (generated from the rules)")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(catalogue_markdown())
    else:
        for rule in discover():
            print(f"{rule.id}  {rule.severity:<8} {rule.title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
