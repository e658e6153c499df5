"""ropa: the record of processing activities for a UK health and care provider.

The factory is imported lazily, so the pure modules (ropa.exchange, ropa.enums) can be used without Flask.
"""


def __getattr__(name: str):
    if name == "create_app":
        from ropa.factory import create_app

        return create_app
    raise AttributeError(name)
