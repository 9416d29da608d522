"""What every command's user errors look like: one line `Error: …`, never a traceback."""

from __future__ import annotations

from click.testing import Result


def assert_one_line_error(result: Result, *needles: str, exit_code: int | None = 1) -> None:
    """One `Error: …` line naming every needle; ``exit_code=None`` accepts any failure."""
    output = result.output.strip()  # a transient progress display may leave a blank line
    failed = result.exit_code != 0 if exit_code is None else result.exit_code == exit_code
    assert failed, (result.exit_code, output)
    assert len(output.splitlines()) == 1 and output.startswith("Error: "), output
    assert "Traceback" not in output
    for needle in needles:
        assert needle in output, (needle, output)
