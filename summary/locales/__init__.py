"""Every label the summary shows, one module per language (`en.py`, `fr.py`), the same keys in each.

A label is a `str.format` pattern, or for counted things a pair of plural forms keyed by the CLDR
plural category Babel gives for the count (`one`, `other`). French labels carry the non-breaking
spaces French typography wants (before `:`, `;`, `?`, `!`, inside guillemets, between a number and
its unit).
"""

from __future__ import annotations

from collections.abc import Mapping

from summary.locales import en, fr

Label = str | Mapping[str, str]

LABELS: dict[str, Mapping[str, Label]] = {"en": en.LABELS, "fr": fr.LABELS}
