"""One entry point for CloudFormation template text: bytes or str in, normalised body out.

:func:`parse_template` checks what every format shares (size, binary content, UTF-8, the top
level being a mapping), picks JSON or YAML and hands over to :mod:`iacviz.sources.cfn_json`
or :mod:`iacviz.sources.cfn_yaml`. Both return the body in CloudFormation's JSON form (short
tags already long) plus ``lines``: ``"Resources/<id>"``, ``"Outputs/<name>"``,
``"Parameters/<name>"``, ``"Conditions/<name>"`` -> 1-based line of the key.

Size limit: CloudFormation accepts 51,200 bytes in a TemplateBody and 1 MB from S3
(TemplateURL). Templates on disk can legitimately be larger before SAM/CDK processing, so the
reader refuses only above :data:`MAX_TEMPLATE_BYTES` (5 MB): large enough for any real
template, small enough that a stray data file cannot stall a load.

:func:`to_yaml` / :func:`to_json` write a normalised body back out through cfn-flip, with
short-form tags in YAML where cfn-flip produces them.
"""

from __future__ import annotations

import re
from typing import Any

from iacviz.errors import TemplateError
from iacviz.limits import MAX_DEPTH, lone_surrogate, too_deep

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
_UNICODE_ESCAPE = re.compile(r"\\[uU]")
SECTIONS = ("Parameters", "Conditions", "Resources", "Outputs")  # sections whose keys get lines


def parse_template(data: bytes | str, source: str, fmt: str | None = None) -> tuple[dict, dict[str, int]]:
    """Parse a CloudFormation template (JSON or YAML) into ``(body, lines)``.

    ``fmt`` is ``"json"``, ``"yaml"`` or None to sniff: text whose first non-blank character
    is ``{`` is JSON. Raises :class:`~iacviz.errors.TemplateError` for anything that is not a
    readable template: syntax errors, duplicate keys, unknown tags, alias bombs, binary or
    oversized input, a top level that is not a mapping.

    >>> body, lines = parse_template(b"Resources:\\n  Q:\\n    Type: AWS::SQS::Queue\\n"
    ...                              b"Outputs:\\n  Arn:\\n    Value: !GetAtt Q.Arn\\n", "q.yaml")
    >>> body["Outputs"]["Arn"]["Value"], lines
    ({'Fn::GetAtt': ['Q', 'Arn']}, {'Resources/Q': 2, 'Outputs/Arn': 5})
    """
    text = _decode(data, source)
    body, lines, bounded = _parse(text, source, fmt)
    surrogates = _may_hold_surrogates(text, decoded=not isinstance(data, str))
    check_body(body, source, surrogates=surrogates, depth=not bounded)
    return body, lines


def _may_hold_surrogates(text: str, decoded: bool) -> bool:
    # Text decoded from UTF-8 holds none; a parsed value can then get one only from an escape
    # (JSON's \uD800, YAML's \uD800 or \U0000D800), so the walk over every string is skipped
    # for the many templates without one. A backslash is found at memchr speed; only text
    # holding one is searched for the escape, by one regex rather than two substring scans
    # (corpus: 5.0 -> 1.5 ms per 326 templates).
    if "\\" in text and _UNICODE_ESCAPE.search(text):
        return True
    if decoded or text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_body(body: Any, source: str, surrogates: bool = True, depth: bool = True) -> None:
    """TemplateError for a parsed body no later step can handle: nested deeper than
    :data:`iacviz.limits.MAX_DEPTH` or holding a lone UTF-16 surrogate (JSON's ``"\\ud800"``).
    Every way into iacviz (files, mappings, live templates, snapshots) checks this once.
    ``surrogates=False`` skips the string walk, for a body parsed from text that cannot hold one;
    ``depth=False`` the depth walk, for a body its parser built within the limit.

    >>> check_body({"Description": "\\ud800"}, "x.json")
    Traceback (most recent call last):
    iacviz.errors.TemplateError: x.json: text holds a lone UTF-16 surrogate ('\\ud800'), not valid Unicode
    """
    if depth and too_deep(body):
        raise TemplateError(source, 0, f"template nested deeper than {MAX_DEPTH} levels")
    bad = lone_surrogate(body) if surrogates else None
    if bad is not None:
        raise TemplateError(source, 0, f"text holds a lone UTF-16 surrogate ({bad[:40]!r}), not valid Unicode")


def _parse(text: str, source: str, fmt: str | None) -> tuple[dict, dict[str, int], bool]:
    # (body, lines, whether the parser bounded its depth: cfn_yaml.load_yaml_bounded)
    from iacviz.sources import cfn_json, cfn_yaml

    sniffed = fmt is None
    if sniffed:
        fmt = "json" if _first_character(text) == "{" else "yaml"
    if fmt == "json":
        try:
            return (*cfn_json.load_json(text, source), False)
        except TemplateError as exc:
            # A YAML flow mapping also starts with "{": when only sniffed, YAML gets a try, but
            # the JSON error is the one reported if that fails too.
            if not (sniffed and exc.message.startswith("JSON syntax error")):
                raise
            try:
                return cfn_yaml.load_yaml_bounded(text, source)
            except TemplateError:
                raise exc from None
    if fmt == "yaml":
        return cfn_yaml.load_yaml_bounded(text, source)
    raise ValueError(f"fmt must be 'json', 'yaml' or None, not {fmt!r}")


def _first_character(text: str) -> str:
    """``text.lstrip()[:1]`` without copying a whole template to look at one character."""
    head = text[:256].lstrip()
    return head[:1] if head or len(text) <= 256 else text.lstrip()[:1]


def _decode(data: bytes | str, source: str) -> str:
    """The template as text, or TemplateError for binary, non-UTF-8 or oversized input."""
    if isinstance(data, str):
        # len() counts characters, never more than UTF-8 bytes: encode only near the limit
        if len(data) * 4 > MAX_TEMPLATE_BYTES and len(data.encode("utf-8", "surrogatepass")) > MAX_TEMPLATE_BYTES:
            raise TemplateError(source, 0, f"template larger than {MAX_TEMPLATE_BYTES} bytes")
        text = data
    else:
        data = bytes(data)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise TemplateError(source, 0, f"template larger than {MAX_TEMPLATE_BYTES} bytes ({len(data)} bytes)")
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise TemplateError(source, 1, "UTF-16 text: CloudFormation templates are UTF-8")
        nul = data.find(b"\x00")
        if nul >= 0:
            raise TemplateError(source, data.count(b"\n", 0, nul) + 1, "binary file (NUL byte), not a template")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateError(
                source,
                data.count(b"\n", 0, exc.start) + 1,
                f"not UTF-8 text (binary file?): byte 0x{data[exc.start]:02x}",
            ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise TemplateError(source, text.count("\n", 0, nul) + 1, "binary file (NUL byte), not a template")
    return text[1:] if text[:1] == "\ufeff" else text  # a UTF-8 byte order mark is not content


def not_a_mapping(source: str, kind: str | None, line: int) -> TemplateError:
    """The error for a document whose top level is ``kind`` (None: nothing), not a mapping."""
    if kind is None:
        return TemplateError(source, 0, "template is empty")
    return TemplateError(source, line, f"top level is a {kind}, not a mapping")


# --- writing ------------------------------------------------------------------------------------


def to_yaml(body: dict) -> str:
    """YAML text of a normalised body, short-form tags where cfn-flip writes them.

    >>> print(to_yaml({"Resources": {"Q": {"Type": "AWS::SQS::Queue",
    ...                                    "Properties": {"QueueName": {"Ref": "Name"}}}}}), end="")
    Resources:
      Q:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !Ref 'Name'
    """
    import cfn_flip

    return cfn_flip.dump_yaml(_for_cfn_flip(body), clean_up=False, long_form=False)


def to_json(body: dict) -> str:
    """JSON text of a normalised body (cfn-flip's layout: 4-space indent, UTF-8 kept).

    >>> print(to_json({"Outputs": {"Id": {"Value": {"Ref": "Q"}}}}))
    {
        "Outputs": {
            "Id": {
                "Value": {
                    "Ref": "Q"
                }
            }
        }
    }
    """
    import cfn_flip

    return cfn_flip.dump_json(body)


def _for_cfn_flip(value: Any) -> Any:
    """cfn-flip writes a short form for every one-key dict of its own ODict class whose key is
    Ref, Condition or Fn::*. Only those that read back identically become ODicts; the rest stay
    plain dicts, which it writes in long form: a GetAtt string ("A.B" would come back split) or a
    GetAtt list holding an intrinsic (cfn-flip joins it with "."), a null or number value (it
    cannot write those after a tag), and keys with no short form (Fn::ForEach::X, Fn::Ref)."""
    from cfn_tools.odict import ODict

    from iacviz.sources.cfn_yaml import SHORT_FORMS

    if isinstance(value, list):
        return [_for_cfn_flip(v) for v in value]
    if not isinstance(value, dict):
        return value
    items = [(k, _for_cfn_flip(v)) for k, v in value.items()]
    if len(value) == 1:
        ((key, inner),) = value.items()
        short = key[4:] if key.startswith("Fn::") else key
        writable = SHORT_FORMS.get(f"!{short}") == key and (
            isinstance(inner, list) and all(isinstance(p, str) for p in inner)
            if short == "GetAtt"
            else isinstance(inner, (str, list, dict))
        )
        if not writable:
            return dict(items)
    return ODict(items)
