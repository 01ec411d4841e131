"""The one exception tree of iacviz: library code raises these, never prints or exits."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType


class IacvizError(Exception):
    """Root of every error iacviz raises on purpose."""


class TemplateError(IacvizError):
    """A template that cannot be read or is not valid CloudFormation.

    Carries the file, the 1-based line (0 when unknown) and the cause, so the message
    always names all three.

    >>> str(TemplateError("net.yaml", 3, "unknown tag !Foo"))
    'net.yaml:3: unknown tag !Foo'
    """

    def __init__(self, source: str, line: int | None, message: str, severity: str = "error"):
        self.source = str(source)
        self.line = int(line or 0)
        self.message = message
        self.severity = severity
        where = f"{self.source}:{self.line}" if self.line else self.source
        super().__init__(f"{where}: {message}")


class SnapshotError(IacvizError):
    """A snapshot folder that cannot be read back: truncated, altered or not a snapshot.

    The message names the file.

    >>> str(SnapshotError("snap/stacks/part-0.parquet", "checksum does not match the manifest"))
    'snap/stacks/part-0.parquet: checksum does not match the manifest'
    """

    def __init__(self, path: str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class LiveError(IacvizError):
    """An AWS API call that failed for good (denied, throttled beyond retries, region off)."""


class MissingExtra(IacvizError, ImportError):
    """A part of iacviz whose packages come with an extra that is not installed.

    >>> str(MissingExtra("the demo account", "moto", "lab"))
    "the demo account needs moto, which comes with iacviz's lab extra: pip install 'iacviz[lab]'"
    """

    def __init__(self, feature: str, package: str, extra: str):
        self.extra = extra
        super().__init__(
            f"{feature} needs {package}, which comes with iacviz's {extra} extra: pip install 'iacviz[{extra}]'"
        )


def require(package: str, feature: str, extra: str = "lab") -> ModuleType:
    """Import `package` for `feature`, or raise :class:`MissingExtra` naming the extra to install.

    >>> require("json", "reading JSON").__name__
    'json'
    >>> require("no_such_package_here", "a feature")
    Traceback (most recent call last):
    ...
    iacviz.errors.MissingExtra: a feature needs no_such_package_here, which comes with iacviz's lab extra: pip install 'iacviz[lab]'
    """
    try:
        return import_module(package)
    except ImportError as exc:
        raise MissingExtra(feature, package, extra) from exc
