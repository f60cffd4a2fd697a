"""What tap-eloqua and target-eloqua share on the Singer side: connection settings, the CLI runner
with one-line errors, the checks of the files named on the command line, the stream names both give
Eloqua's objects, and the list of the SDK members both plugins override (`sdk_overrides`).

It stands on `eloqua_bulk` (which knows no Singer) and the SDK; neither plugin package imports the
other, and this package imports neither.
"""
