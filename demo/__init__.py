"""The one-command demo: `bash demo/run` (see demo/__main__.py)."""
