"""A JSON document with long texts kept beside it as plain bytes.

A cache file that holds long texts (the page cache's search entries: ~4 MB
of JSON text at 100 units × 8 quarters) costs a JSON escape of every quote
when written and the same unescape when read: ~0.07 s of every rebuild with
8 quarters, for texts that are mostly written back unchanged. A pack is a
magic line, one line of JSON (the document and the texts' lengths in
UTF-8), then the texts' bytes back to back: reading it is one read, one
small JSON parse and a UTF-8 decode per text.

Packs live in caches, so they are untrusted: anything that does not read
back as written (cut, padded, malformed, not UTF-8) is None, never an error.
"""

from __future__ import annotations

import json
from typing import Any

_MAGIC = b"okrsite-pack 1\n"


def pack(document: Any, texts: list[str]) -> bytes:
    """``document`` (JSON-serialisable) and ``texts`` as one pack."""
    blobs = [text.encode("utf-8") for text in texts]
    head = {"document": document, "lengths": [len(blob) for blob in blobs]}
    line = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"".join([_MAGIC, line, b"\n", *blobs])


def unpack(data: bytes) -> tuple[Any, list[str]] | None:
    """The document and texts of a pack, or None if ``data`` is not one."""
    if not data.startswith(_MAGIC):
        return None
    end = data.find(b"\n", len(_MAGIC))
    if end < 0:
        return None
    try:
        head = json.loads(data[len(_MAGIC) : end])
        lengths = head["lengths"]
        document = head["document"]
        if not isinstance(lengths, list):
            return None
        texts: list[str] = []
        at = end + 1
        for length in lengths:
            if type(length) is not int or length < 0:
                return None
            texts.append(data[at : at + length].decode("utf-8"))
            at += length
    except (ValueError, KeyError, TypeError):
        return None
    if at != len(data):
        return None  # cut or padded
    return document, texts
