"""Renderers of a `Summary`: Markdown, HTML (with charts), JSON, Notion blocks and table artifacts.
Each works from the `Summary` value alone; the tables every output shares are built once, in rows.py."""
