"""kafka.jsontext writes exactly the text json.dumps(indent=..., ensure_ascii=False) writes."""

import enum
import json
from pathlib import Path

import pytest

from kafka.jsontext import dumps_indented
from kafka.loader import load_case
from kafka.run import RunOptions, run_case

CASES = sorted((Path(__file__).resolve().parent.parent / "cases").glob("*.yaml"))


class Colour(enum.IntEnum):
    RED = 1


ODD_VALUES = [
    {}, [], (), "", 0, -0.0, 1e300, 1e-300, 2 ** 70, float("nan"), float("inf"), float("-inf"), True, False, None,
    {"a": [], "b": {}, "c": [{}], "d": [[]]},
    {"tekst": "«Huurcontract» \u2028 \x00 \x1f \" \\ / \n é 😀"},
    [1, 2.5, "x", None, [True, {"k": (1, 2)}]],
    {1: "a number as key"}, {None: 1, True: 2, 2.5: 3},  # json turns such keys into text
    {"enum": Colour.RED}, [Colour.RED],  # subclasses: left to json
    {"deep": [[[[[["x"]]]]]]},
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=range(len(ODD_VALUES)))
@pytest.mark.parametrize("indent", [1, 2])
def test_same_text_as_json_dumps(value, indent):
    assert dumps_indented(value, indent) == json.dumps(value, indent=indent, ensure_ascii=False)


def test_same_text_for_every_analysis_of_the_example_cases():
    assert CASES
    for path in CASES:
        loaded = load_case(path)
        if not loaded.ok:
            continue
        for lang in ("nl", "en"):
            data = run_case(loaded, RunOptions.of(lang=lang), simulate=False).analysis.to_dict()
            assert dumps_indented(data) == json.dumps(data, indent=1, ensure_ascii=False), path


def test_a_circular_value_fails_as_in_json():
    value: list = []
    value.append(value)
    with pytest.raises(ValueError, match="Circular"):
        dumps_indented(value)
