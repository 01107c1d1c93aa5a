"""Model instances from hand-written SQL, for the few hot read paths where building the query through the ORM
costs more than running it (the API's token check and delegation check answer many calls a second).

`select_list(model, alias)` names every concrete column of a model under a table alias; `from_row(model, row,
start)` turns that slice of a result row into an instance exactly as a queryset would: the database's values
pass through the same converters (dates, aware datetimes, UUIDs, JSON, booleans) and `Model.from_db` builds it,
so it compares, saves and lazy-loads relations like any other. `statement(name, build)` keeps the SQL text once
written (per vendor); `insert(instance)` writes an unsaved instance as `save()` would, in one INSERT. Table and
column names come from the models' `_meta`; callers bind every value as a parameter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

_M = TypeVar("_M", bound=Model)

# Per connection (converters are bound to its backend) and model: the attnames in column order and, for each
# column that needs one, its converters with the column expression they expect.
_Converters = list[tuple[int, list[Callable[..., Any]], Any]]
_Plan = tuple[list[str], _Converters, int]
_plans: WeakKeyDictionary[BaseDatabaseWrapper, dict[type[Model], _Plan]] = WeakKeyDictionary()


def _connection() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def _plan(model: type[Model], connection: BaseDatabaseWrapper) -> _Plan:
    by_model = _plans.setdefault(connection, {})
    plan = by_model.get(model)
    if plan is None:
        names, converters, pk_position = [], [], 0
        for position, field in enumerate(model._meta.concrete_fields):
            names.append(field.attname)
            if field.primary_key:
                pk_position = position
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((position, found, column))
        plan = by_model[model] = (names, converters, pk_position)
    return plan


def quote(name: str) -> str:
    return _connection().ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[Model], name: str, alias: str | None = None) -> str:
    """`"alias"."column"` of the field `name` (the table's own name without an alias)."""
    field = model._meta.get_field(name)
    attname = getattr(field, "column", None)
    assert attname, f"{model.__name__}.{name} is not a column"
    return f"{quote(alias) if alias else table(model)}.{quote(attname)}"


def select_list(model: type[Model], alias: str | None = None) -> str:
    """Every concrete column of `model`, in field order, as `from_row` reads them."""
    prefix = quote(alias) if alias else table(model)
    return ", ".join(f"{prefix}.{quote(field.column)}" for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def from_row(model: type[_M], row: Sequence[Any], start: int = 0) -> _M | None:
    """The instance in `row[start:start + width(model)]` (as `select_list` selected it); None when its primary
    key is NULL (nothing matched a LEFT JOIN)."""
    return _from_row(model, row, start, _connection())


def split(row: Sequence[Any], models: Sequence[type[Model]], start: int = 0) -> list[Any]:
    """The instances of `models`, selected one after the other with `select_list` from `start` on."""
    connection = _connection()
    found = []
    for model in models:
        found.append(_from_row(model, row, start, connection))
        start += len(model._meta.concrete_fields)
    return found


def _from_row(model: type[_M], row: Sequence[Any], start: int, connection: BaseDatabaseWrapper) -> _M | None:
    names, converters, pk_position = _plan(model, connection)
    values = list(row[start : start + len(names)])
    if values[pk_position] is None:
        return None
    for position, found, expression in converters:
        value = values[position]
        for converter in found:
            value = converter(value, expression, connection)
        values[position] = value
    return model.from_db(DEFAULT_DB_ALIAS, names, values)


def converter(model: type[Model], name: str) -> Callable[[Any], Any]:
    """Turns a raw value of the field `name` into what a queryset would give (a UUID, decoded JSON…)."""
    connection = _connection()
    names, converters, _ = _plan(model, connection)
    position = names.index(model._meta.get_field(name).attname)  # type: ignore[union-attr]
    found = next((c for c in converters if c[0] == position), None)
    if found is None:
        return lambda value: value
    _, functions, expression = found

    def convert(value: Any) -> Any:
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


_statements: dict[tuple[str, str], str] = {}


def statement(name: str, build: Callable[[], str]) -> str:
    """The SQL `build()` writes, built once per database vendor (quoting differs) and kept: writing it quotes
    dozens of names, which costs more than running it."""
    key = (_connection().vendor, name)
    sql = _statements.get(key)
    if sql is None:
        sql = _statements[key] = build()
    return sql


def insert(instance: Model) -> None:
    """Insert an unsaved instance with one hand-written INSERT and set its primary key: the values are the
    ones `save()` would write (each field's `pre_save`, so `auto_now_add` is set, then its
    `get_db_prep_save`), without compiling the INSERT through the ORM. No signals are sent."""
    model = type(instance)
    meta = model._meta
    connection = _connection()
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    pk = meta.pk
    assert pk is not None and instance.pk is None and getattr(pk, "db_returning", False)

    def build() -> str:
        sql = (
            f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {quote(pk.column)}"
        return sql

    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(statement(f"insert_{meta.label}", build), values)
        if connection.features.can_return_columns_from_insert:
            row = cursor.fetchone()
            assert row is not None
            new_pk = row[0]
        else:
            new_pk = connection.ops.last_insert_id(cursor, meta.db_table, pk.column)
    setattr(instance, pk.attname, new_pk)
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
