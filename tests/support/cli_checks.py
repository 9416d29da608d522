"""What every command's user errors look like: one line `Error: …`, never a traceback."""

from __future__ import annotations

import re

from click.testing import Result

# where no progress bar can draw (CliRunner, a log file) long work prints its stages
PROGRESS_LINE = re.compile(r"^\[(train|import)\] ")


def assert_one_line_error(result: Result, *needles: str, exit_code: int | None = 1) -> None:
    """One `Error: …` line naming every needle (after any stage lines the work printed
    before it failed); ``exit_code=None`` accepts any failure."""
    lines = [line for line in result.output.splitlines() if line.strip()]  # a transient bar
    output = "\n".join(line for line in lines if not PROGRESS_LINE.match(line))
    failed = result.exit_code != 0 if exit_code is None else result.exit_code == exit_code
    assert failed, (result.exit_code, output)
    assert len(output.splitlines()) == 1 and output.startswith("Error: "), output
    assert "Traceback" not in output
    for needle in needles:
        assert needle in output, (needle, output)
