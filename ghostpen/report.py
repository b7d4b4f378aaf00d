"""How `ghostpen eval …` commands print their result: one JSON object, or `key: value` lines."""

from __future__ import annotations

import json


def print_result(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        width = max((len(k) for k in result), default=0)
        for key, value in result.items():
            print(f"{key + ':':{width + 1}} {value}")
