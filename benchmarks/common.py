"""What every benchmark shares: generated estates on disk (cached), child processes, the machine.

Generated estates are written once per (stacks, resources, seed, generator source) into the
temporary folder and reused by later runs; a ``.complete`` file marks a finished write.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
CACHE = Path(tempfile.gettempdir()) / "iacviz-bench"
SEED = 0
RESOURCES_PER_STACK = 50


def estate_folder(n_stacks: int, resources_per_stack: int = RESOURCES_PER_STACK, seed: int = SEED) -> Path:
    """A folder holding ``benchmarks.generate.write_estate(n_stacks, ...)``, written on first use."""
    source = (REPO / "benchmarks" / "generate.py").read_bytes()
    key = hashlib.sha256(source + f"{n_stacks}/{resources_per_stack}/{seed}".encode()).hexdigest()[:12]
    folder = CACHE / f"estate-{n_stacks}x{resources_per_stack}-s{seed}-{key}"
    if (folder / ".complete").is_file():
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    from benchmarks.generate import write_estate

    start = time.perf_counter()
    write_estate(folder, n_stacks, resources_per_stack, seed)
    (folder / ".complete").write_text(f"written in {time.perf_counter() - start:.1f} s\n")
    return folder


def estate_templates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.yaml") if p.name != "iacviz-estate.yaml")


def run_child(module: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run ``python -m module args`` in a fresh process; its last stdout line is a JSON result.

    A fresh process per measurement: its peak resident set is its own, and no heap, cache or
    collector state carries over from an earlier measurement.
    """
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # progress: stderr
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def log(*parts: Any) -> None:
    """Progress, on stderr (a child's stdout carries its JSON result)."""
    print(*parts, file=sys.stderr, flush=True)


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """Cores, memory, Python and library versions: no paths, no host name."""
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from yaml._yaml import get_version_string

        libyaml = get_version_string()
    except ImportError:
        libyaml = None
    libs = {
        name: _version(name)
        for name in (
            "iacviz",
            "pandas",
            "numpy",
            "pyarrow",
            "networkx",
            "PyYAML",
            "cfn-lint",
            "cfn-flip",
            "boto3",
            "moto",
            "plotly",
            "playwright",
            "rapidyaml",
            "ryaml",
            "yaml-rs",
            "libfyaml",
        )
    }
    libs["libyaml"] = libyaml
    return {
        "cores": os.cpu_count(),
        "memory_gib": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "os": f"{platform.system()} {platform.machine()}",
        "libraries": {k: v for k, v in libs.items() if v},
        "load_average": _load(),
    }


def _load() -> list[float] | None:
    try:
        return [round(x, 1) for x in os.getloadavg()]
    except OSError:
        return None
