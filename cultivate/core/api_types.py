"""Input types every API operation uses for its parameters and request bodies, and the error bodies every
operation may answer with.

Bad input must be a 422 that names the parameter, never a 500 from the database: SQLite and PostgreSQL hold
integers of 64 bits at most, PostgreSQL refuses the NUL character in text, and date arithmetic overflows near
the years 1 and 9999. Each type below carries its limit into validation (so the request is refused before any
query) and into the OpenAPI document (so clients and fuzzers know it). `tests/test_api_bad_input.py` checks that
every integer and text input in the document is bounded this way."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from annotated_types import Ge, Le
from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

DB_INT_MAX = 2**63 - 1  # the largest integer a 64-bit database column holds
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
NO_NUL_PATTERN = "^[^\\u0000]*$"
# A date within EARLIEST_DATE..LATEST_DATE, as a pattern so generated examples stay valid dates.
DATE_PATTERN = r"^(19|20|21)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "Text must not contain the NUL character (U+0000).")
    return value


# A database id: a whole number from 1 to 2^63 - 1.
DbId = Annotated[int, Ge(1), Le(DB_INT_MAX)]
# How many rows to skip: a whole number from 0 to 2^63 - 1.
DbOffset = Annotated[int, Ge(0), Le(DB_INT_MAX)]
# Text without the NUL character (which PostgreSQL cannot store or compare).
Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": NO_NUL_PATTERN})]
# A day between 1900-01-01 and 2199-12-31: far enough from the calendar's ends that adding a reassessment
# interval or a deadline never overflows.
ApiDate = Annotated[
    dt.date,
    Ge(EARLIEST_DATE),
    Le(LATEST_DATE),
    Field(
        description=f"A day from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}.",
        json_schema_extra={"pattern": DATE_PATTERN},
    ),
]


class ErrorOut(Schema):
    detail: str


class ValidationProblemOut(Schema):
    type: str = Field(description="What kind of problem, for example `less_than_equal` or `missing`.")
    loc: list[str | int] = Field(
        description="Where: `query`, `path` or `body`, then the parameter or field, for example "
        '`["query", "offset"]`.'
    )
    msg: str = Field(description="What is wrong, in words.")
    ctx: dict[str, Any] | None = Field(default=None, description="The limit broken, where there is one.")


class ValidationErrorOut(Schema):
    detail: list[ValidationProblemOut] = Field(description="What is wrong with the request, field by field.")


class ServerErrorOut(Schema):
    detail: str = Field(description="That something went wrong on our side, and what to do.")
    reference: str = Field(description="Quote this to the service desk: it finds the error in our logs.")
