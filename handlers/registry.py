"""A router blueprint: aiogram's decorator syntax, but a fresh Router for every dispatcher.

aiogram attaches a Router to one parent for life, and the bot, the demo and each test build
their own dispatcher; so modules record registrations here and `build()` replays them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router

Fn = Callable[..., Any]


class _Observer:
    def __init__(self, blueprint: RouterBlueprint, name: str) -> None:
        self._bp, self._name = blueprint, name

    def __call__(self, *filters: Any, **kwargs: Any) -> Callable[[Fn], Fn]:
        def register(fn: Fn) -> Fn:
            self._bp.steps.append((self._name, "register", fn, filters, kwargs))
            return fn

        return register

    def filter(self, *filters: Any) -> None:
        self._bp.steps.append((self._name, "filter", None, filters, {}))

    def middleware(self, middleware: Any) -> None:
        """An inner middleware: runs once a handler of this router matched."""
        self._bp.steps.append((self._name, "middleware", None, (middleware,), {}))


class RouterBlueprint:
    """Use like aiogram's Router (`bp.message(...)`, `bp.message.filter(...)`); `build()`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.steps: list[tuple[str, str, Fn | None, tuple[Any, ...], dict[str, Any]]] = []
        for observer in (
            "message",
            "edited_message",
            "callback_query",
            "inline_query",
            "my_chat_member",
            "chat_member",
            "errors",
        ):
            setattr(self, observer, _Observer(self, observer))

    def build(self) -> Router:
        router = Router(name=self.name)
        for observer, kind, fn, filters, kwargs in self.steps:
            target = router.observers.get(observer) or getattr(router, observer)
            if kind == "filter":
                target.filter(*filters)
            elif kind == "middleware":
                target.middleware(filters[0])
            elif fn is not None:  # a "handler" step always carries its function
                target.register(fn, *filters, **kwargs)
        return router

    # Typed access for mypy/readers; set in __init__.
    message: _Observer
    edited_message: _Observer
    callback_query: _Observer
    inline_query: _Observer
    my_chat_member: _Observer
    chat_member: _Observer
    errors: _Observer
