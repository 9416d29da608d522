"""How `tunegraph query` prints rows: streamed for csv/json/jsonl, a capped table otherwise.

Data is printed literally: table cells are `rich.text.Text`, so `[bold]` or `:smile:`
inside a value stays as typed. JSON has no NaN or Infinity: non-finite floats become
the strings "NaN", "Infinity" and "-Infinity" (as csv and the table print them).
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any, Protocol

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

TABLE_ROW_CAP = 10_000  # a table is laid out whole, so it holds its rows in memory
FLUSH_EVERY = 500  # rows per write to stdout for the streamed formats


def finite(value: Any) -> Any:
    """``value`` with every non-finite float replaced by its name, so JSON stays JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [finite(item) for item in value]
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    return value


def to_json(value: Any, indent: int | None = None) -> str:
    return json.dumps(finite(value), indent=indent, allow_nan=False, default=str)


def cell(value: Any) -> str:
    """A value as one cell of text: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    plain = finite(value)
    return plain if isinstance(plain, str) else to_json(plain)


class RowPrinter(Protocol):
    def columns(self, names: list[str]) -> None: ...
    def row(self, values: list[Any]) -> None: ...
    def end(self) -> None: ...


class _Streamed:
    """Buffers a few hundred formatted rows at a time, then writes them to stdout."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._pending: list[str] = []

    def _emit(self, text: str) -> None:
        self._pending.append(text)
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            click.echo("".join(self._pending), nl=False)
            self._pending.clear()


class CsvPrinter(_Streamed):
    def __init__(self) -> None:
        super().__init__()
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")

    def _line(self, values: list[str]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(values)
        return self._buffer.getvalue()

    def columns(self, names: list[str]) -> None:
        self._emit(self._line(names))

    def row(self, values: list[Any]) -> None:
        self._emit(self._line([cell(v) for v in values]))

    def end(self) -> None:
        self.flush()


class JsonLinesPrinter(_Streamed):
    """One JSON object per row and line."""

    def columns(self, names: list[str]) -> None:
        self.names = names

    def row(self, values: list[Any]) -> None:
        self._emit(to_json(dict(zip(self.names, values, strict=True))) + "\n")

    def end(self) -> None:
        self.flush()


class JsonPrinter(JsonLinesPrinter):
    """One JSON array of row objects, written as the rows arrive (one object a line)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows = 0

    def row(self, values: list[Any]) -> None:
        self._emit(
            ("[\n  " if self._rows == 0 else ",\n  ")
            + to_json(dict(zip(self.names, values, strict=True)))
        )
        self._rows += 1

    def end(self) -> None:
        self._emit("[]\n" if self._rows == 0 else "\n]\n")
        self.flush()


class TablePrinter:
    """A rich table of the rows, laid out once they are all in."""

    def __init__(self) -> None:
        self._table = Table(show_lines=False)

    def columns(self, names: list[str]) -> None:
        for name in names:
            self._table.add_column(Text(name))

    def row(self, values: list[Any]) -> None:
        self._table.add_row(*(Text(cell(v)) for v in values))

    def end(self) -> None:
        console = Console(file=io.StringIO(), width=160, color_system=None)
        console.print(self._table)
        click.echo(console.file.getvalue().rstrip("\n"))  # type: ignore[attr-defined]


PRINTERS: dict[str, type[RowPrinter]] = {
    "table": TablePrinter,
    "csv": CsvPrinter,
    "json": JsonPrinter,
    "jsonl": JsonLinesPrinter,
}
