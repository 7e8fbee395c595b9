"""Form-encoded bodies the way Statuspage reads them: `incident[name]=…`,
`incident[components][<id>]=major_outage`, `incident[component_ids][]=<id>` become the nested
objects and lists a JSON body would carry, so both encodings reach the same serializers."""

import re

from django.http import QueryDict
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser

# `incident[components][abc]` → "incident", "[components][abc]"; `ids[]` → "ids", "[]".
KEY = re.compile(r"^(?P<head>[^\[\]]+)(?P<rest>(?:\[[^\[\]]*\])*)$")
PART = re.compile(r"\[([^\[\]]*)\]")
# A body nests no deeper than this (Statuspage's deepest is incident → components → id).
MAX_DEPTH = 4


def nested(data: QueryDict) -> dict:
    """The bracketed keys of a form body as nested dicts and lists; plain keys stay flat."""
    result: dict = {}
    for key, values in data.lists():
        match = KEY.match(key)
        if match is None:
            raise ParseError(f"“{key}” is not a form field name (write name or name[part]).")
        parts = [match["head"], *PART.findall(match["rest"])]
        if len(parts) > MAX_DEPTH + 1:
            raise ParseError(f"“{key}” nests deeper than {MAX_DEPTH} levels.")
        place(result, parts, values, key=key)
    return result


def place(target: dict, parts: list[str], values: list[str], *, key: str) -> None:
    """Set `values` at `parts` in `target`: a list when the key ends with [], else the last."""
    is_list = parts[-1] == ""
    path = parts[:-2] if is_list else parts[:-1]
    name = parts[-2] if is_list else parts[-1]
    for part in path:
        child = target.setdefault(part, {})
        if part == "" or not isinstance(child, dict):
            raise ParseError(f"“{key}” mixes an object with a value or a list.")
        target = child
    if name == "":
        raise ParseError(f"“{key}”: [] may only end a field name.")
    if name in target and (is_list != isinstance(target[name], list) or not is_list):
        raise ParseError(f"“{key}” is given twice, or both as a value and as an object.")
    if is_list:
        target.setdefault(name, []).extend(values)
    else:
        target[name] = values[-1]


class NestedFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return nested(super().parse(stream, media_type, parser_context))
