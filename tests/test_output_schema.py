"""Run-time output models are built once per shape, and never shared between different shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from agents.output_schema import by_identity, json_schema, list_of, one_of, output_model
from scenarios.strict import StrictModel

Quote = Annotated[str, StringConstraints(max_length=80)]


def test_the_same_shape_is_one_class_and_any_difference_is_another():
    def move(values, **extra):
        return output_model(
            "Turn", StrictModel, move=(one_of(values), Field(description="d", **extra)), quotes=(list[Quote], ...)
        )

    assert move(["ask", "close"]) is move(["ask", "close"])
    assert move(["ask", "close"]) is not move(["ask", "probe"])
    assert move(["ask", "close"]) is not move(["ask", "close"], max_length=3)
    assert output_model("B", StrictModel, b=(one_of([True]), ...)) is not output_model("B", StrictModel, b=(one_of([1]), ...))


def test_nested_models_of_the_same_name_but_other_fields_stay_apart():
    text = output_model("Item", StrictModel, x=(str, ...))
    number = output_model("Item", StrictModel, x=(int, ...))
    outer_text = output_model("Outer", StrictModel, items=(list_of(text), ...))
    outer_number = output_model("Outer", StrictModel, items=(list_of(number), ...))
    assert outer_text is not outer_number
    assert json_schema(outer_text) is json_schema(outer_text)
    assert json_schema(outer_text) != json_schema(outer_number)


def test_by_identity_builds_once_per_object_and_starts_over_at_its_limit():
    built = []
    keep = by_identity(lambda obj: built.append(obj) or len(built), limit=2)
    a, b, c = {"k": 1}, {"k": 1}, {"k": 2}
    assert [keep(a), keep(a), keep(b)] == [1, 1, 2]  # equal but distinct objects are built apart
    assert keep(c) == 3  # the third object starts the cache over
    assert keep(a) == 4 and keep(c) == 3
    unbounded = by_identity(lambda obj: object())
    first = unbounded(a)
    unbounded(b), unbounded(c)
    assert unbounded(a) is first  # without a limit, nothing is forgotten
