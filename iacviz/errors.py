"""The one exception tree of iacviz: library code raises these, never prints or exits."""
from __future__ import annotations


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


class LiveError(IacvizError):
    """An AWS API call that failed for good (denied, throttled beyond retries, region off)."""
