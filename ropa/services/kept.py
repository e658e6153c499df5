"""Answers kept by the app (so per process and database) until what they were computed from moves."""

from collections.abc import Callable

from flask import current_app


def kept(store: str, name: str, key: tuple, compute: Callable):
    """compute()'s answer under name, kept in the app's extensions[store] until key differs from the one it was
    computed with. Two requests racing may both compute it; both answers are right for the key."""
    cache = current_app.extensions.setdefault(store, {})
    found = cache.get(name)
    if found is not None and found[0] == key:
        return found[1]
    value = compute()
    cache[name] = (key, value)
    return value
