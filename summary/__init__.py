"""The operations summary: computed from the store by pure functions, rendered apart from the computation."""
