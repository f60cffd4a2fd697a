"""BATCH files written fast: orjson lines, gzip level 1 (the SDK's encoder uses level 9)."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any
from uuid import uuid4

import orjson
from singer_sdk.helpers._batch import BaseBatchFileEncoding, BatchConfig

from tap_eloqua.writer import encode

GZIP_LEVEL = 1  # about 5x faster than level 9, files ~15% larger


def write_batches(records: Iterable[dict[str, Any]], config: BatchConfig, tap_name: str,
                  stream_name: str) -> Iterator[tuple[BaseBatchFileEncoding, list[str]]]:
    """One JSONL file per `batch_size` records, compressed as the batch config asks."""
    if config.encoding.format != "jsonl":
        raise NotImplementedError(config.encoding.format)
    compress = (config.encoding.compression or "none") == "gzip"
    storage = config.storage
    prefix = storage.prefix or ""
    sync_id = f"{tap_name}--{stream_name}-{uuid4()}"
    size = config.batch_size or 10000
    iterator = iter(records)
    index = 0
    while True:
        chunk = list(islice(iterator, size))
        if not chunk:
            return
        index += 1
        name = f"{prefix}{sync_id}-{index}.json{'.gz' if compress else ''}"
        payload = b"".join(encode(r, orjson.OPT_APPEND_NEWLINE) for r in chunk)
        del chunk
        with storage.open(name, "wb") as handle:
            handle.write(gzip.compress(payload, compresslevel=GZIP_LEVEL) if compress
                         else payload)
        yield config.encoding, [storage.get_url(name)]
