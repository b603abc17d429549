"""Run synchronous filters on the event loop instead of in a thread.

aiogram runs every callback that is not a coroutine function through `asyncio.to_thread`, and
that includes filters: each magic filter (`F.chat.type == "private"`) and each plain-function
filter met while an update travels the routers. A private message looking for a procedure met
about 27 of them: 27 thread hand-offs (and their fight for the GIL) to compare a few
attributes, which cost more than the search itself. These filters only read the update, so
they run inline; handlers are coroutines and are left as they are.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject


def _inline(obj: CallableObject) -> None:
    if obj.awaitable:
        return
    sync = obj.callback

    async def inline(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    # aiogram already read the parameters from the original signature (see CallableObject).
    obj.callback, obj.awaitable = inline, True


def run_sync_filters_inline(root: Router) -> None:
    """For every router under `root`: its observers' own filters and their handlers' filters."""
    for router in root.chain_tail:
        for observer in router.observers.values():
            handlers = [*observer.handlers, getattr(observer, "_handler", None)]
            for handler in handlers:
                for flt in getattr(handler, "filters", None) or ():
                    _inline(flt)
