"""`python -m target_eloqua`."""

from target_eloqua.target import cli

cli()
