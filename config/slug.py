"""One slug function: a workspace key (or any name) as lowercase ASCII letters, digits and dashes.

Prefect accepts only `^[a-z0-9-]*$` in artifact keys (`prefect/types/names.py`, and "keys may only contain
lowercase letters, numbers, and dashes": https://docs.prefect.io/v3/concepts/artifacts), while the hub file
accepts workspace keys like `my_client`. Everything the hub names after a workspace in Prefect goes
through `slug()`; the hub file refuses two workspaces whose keys would share a slug.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata


def slug(text: str) -> str:
    """`my_client` -> `my-client`, `ACME` -> `acme`, `Café` -> `cafe`; never empty.

    Letters with no ASCII form (`東京`) cannot be spelt: a short digest of the text stands in for them,
    so that two such keys still get two slugs.
    """
    folded = unicodedata.normalize("NFKD", text)
    words = re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode().lower())
    lost = any(char.isalnum() and not char.isascii() for char in folded if not unicodedata.combining(char))
    if lost or not words:
        words.append(hashlib.sha256(text.encode()).hexdigest()[:8])
    return "-".join(words)
