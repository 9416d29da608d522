"""``python -m tunegraph``: the same CLI as the ``tunegraph`` command."""

from tunegraph.cli.main import main

main()
