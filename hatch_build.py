"""Build hook: compiles iacviz's optional C extensions, each with a pure-Python twin.

- ``iacviz/sources/_cfn_yaml_fast.c``: the YAML reader's libyaml fast path. Needs a C compiler,
  Python's headers and libyaml's (Debian: ``apt-get install gcc python3-dev libyaml-dev``);
  without it YAML is read by the pure-Python path (same values, ~4x slower to parse).
- ``iacviz/_walks.c``: the per-value walks of a build (the properties' leaves, the references,
  the depth check). Needs a C compiler and Python's headers; without it the Python walks run
  (same frames, slower).
- ``iacviz/sources/_cfn_json_fast.c``: a JSON template's section lines and repeated keys in one
  token walk. Needs a C compiler and Python's headers; without it the Python scan runs.

Hatchling runs this for every wheel, editable or not. When an extension cannot be built the
build says so and goes on. ``python hatch_build.py`` builds them in place for a checkout.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

# (source, libraries to link, what iacviz does without it)
EXTENSIONS = (
    (Path("iacviz/sources/_cfn_yaml_fast.c"), ("-lyaml",), "YAML is read by the pure-Python path"),
    (Path("iacviz/_walks.c"), (), "templates are walked by the pure-Python path"),
    (Path("iacviz/sources/_cfn_json_fast.c"), (), "JSON templates' lines are found by the pure-Python path"),
)
SOURCE = EXTENSIONS[0][0]


def compile_extension(root: Path, out_dir: Path, source: Path = SOURCE) -> Path | None:
    """The built module of `source` (one of EXTENSIONS), or None (and a note on stderr) when it
    cannot be built here."""
    libraries, without = next((libs, note) for src, libs, note in EXTENSIONS if src == source)
    linker = sysconfig.get_config_var("LDSHARED")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not linker or not suffix:  # e.g. Windows: no Unix compiler settings
        print(f"iacviz: no C compiler settings; {without}", file=sys.stderr)
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{source.stem}{suffix}"
    command = [
        *shlex.split(linker),
        *shlex.split(os.environ.get("CFLAGS", "")),
        "-O2",
        "-fPIC",
        f"-I{sysconfig.get_paths()['include']}",
        str(root / source),
        "-o",
        str(target),
        *shlex.split(os.environ.get("LDFLAGS", "")),
        *libraries,
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
            f"iacviz: could not build {source.name} (needs a C compiler and Python headers"
            f"{' and libyaml-dev' if libraries else ''}); {without}.\n{done.stderr.strip()}",
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
        for source, _, _ in EXTENSIONS:
            if version == "editable":  # the checkout is on the path: build beside the source
                compile_extension(root, root / source.parent, source)
                continue
            built = compile_extension(root, root / "build" / "extension", source)
            if built is not None:
                build_data["pure_python"] = False
                build_data["infer_tag"] = True
                build_data["force_include"][str(built)] = f"{source.parent}/{built.name}"


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    built = [compile_extension(here, here / source.parent, source) for source, _, _ in EXTENSIONS]
    sys.exit(0 if all(built) else 1)
