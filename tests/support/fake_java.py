"""A stand-in JAVA_HOME that answers `java -version` as a given release, and runs nothing."""

from __future__ import annotations

from pathlib import Path


def fake_java_home(root: Path, version: str) -> Path:
    """A JAVA_HOME whose bin/java answers `-version` as that release does (on stderr)."""
    java = root / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2026-03-17' >&2\n")
    java.chmod(0o755)
    return root
