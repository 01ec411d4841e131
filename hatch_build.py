"""Build hook: compiles iacviz/sources/_cfn_yaml_fast.c, the optional libyaml fast path.

Hatchling runs this for every wheel, editable or not. The extension needs a C compiler,
Python's headers and libyaml's (Debian: ``apt-get install gcc python3-dev libyaml-dev``); when
any is missing the build says so and goes on: iacviz then reads YAML with its pure-Python path
(same values, ~4x slower to parse). ``python hatch_build.py`` builds it in place for a checkout.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

SOURCE = Path("iacviz/sources/_cfn_yaml_fast.c")


def compile_extension(root: Path, out_dir: Path) -> Path | None:
    """The built module, or None (and a note on stderr) when it cannot be built here."""
    linker = sysconfig.get_config_var("LDSHARED")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not linker or not suffix:  # e.g. Windows: no Unix compiler settings
        print("iacviz: no C compiler settings; YAML is read by the pure-Python path", file=sys.stderr)
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"_cfn_yaml_fast{suffix}"
    command = [
        *shlex.split(linker),
        *shlex.split(os.environ.get("CFLAGS", "")),
        "-O2",
        "-fPIC",
        f"-I{sysconfig.get_paths()['include']}",
        str(root / SOURCE),
        "-o",
        str(target),
        *shlex.split(os.environ.get("LDFLAGS", "")),
        "-lyaml",
    ]
    # A module left from an earlier build would be imported although this one failed (an
    # editable install builds beside the source): the pure-Python path is then used instead.
    target.unlink(missing_ok=True)
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except OSError as exc:
        done = subprocess.CompletedProcess(command, 1, "", str(exc))
    if done.returncode != 0:
        print(
            "iacviz: could not build the libyaml fast path (needs a C compiler, Python headers and "
            f"libyaml-dev); YAML is read by the pure-Python path.\n{done.stderr.strip()}",
            file=sys.stderr,
        )
        return None
    return target


try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # run as a script without hatchling
    BuildHookInterface = object  # type: ignore[misc,assignment]


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc,valid-type]
    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        if version == "editable":  # the checkout is on the path: build beside the source
            compile_extension(root, root / SOURCE.parent)
            return
        built = compile_extension(root, root / "build" / "extension")
        if built is not None:
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            build_data["force_include"][str(built)] = f"{SOURCE.parent}/{built.name}"


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.exit(0 if compile_extension(here, here / SOURCE.parent) else 1)
