"""Connectors: one typed client per service over one shared HTTP core.

`connectors.http.HttpCore` sends; `connectors.errors` says what a failure means; each service's folder
holds its client (the calls), its models (raw API shapes) and its mapping (pure conversions to and
from the canonical model in `sync.model`).
"""
