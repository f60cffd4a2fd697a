"""`python -m tap_eloqua`."""

from tap_eloqua.tap import cli

cli()
