"""Helpers that the tests and the benchmarks both use: free ports, memory sampling,
export directories written from memory, a private Neo4j.

Test-only helpers (fixtures, the simulator's test client, small dataset files) stay in
``tests/support``. Nothing in the package's own code imports this.
"""
