"""Fault injection rules for the sandbox.

Faults are checked *before* the flood limiter, so a refused call never consumes a rate
token; ``timeout_after_send`` is the exception: the call is executed (and consumes its
token), recorded with ``delivered_but_unanswered=True``, and then the reply is withheld.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FAULT_KINDS", "FaultInjector", "FaultRule"]

FAULT_KINDS = frozenset(
    {
        "429",
        "500",
        "502",
        "403_blocked",
        "403_kicked",
        "403_deactivated",
        "chat_not_found",
        "migrate",
        "timeout_after_send",
        "not_enough_rights",
    }
)


@dataclass(eq=False)
class FaultRule:
    """One injected fault; ``times=None`` fires forever, ``fired`` counts hits."""

    error: str
    methods: frozenset[str] | None = None
    chat_id: int | str | None = None
    times: int | None = 1
    probability: float = 1.0
    retry_after: int = 5
    migrate_to_chat_id: int | None = None
    rng: random.Random = field(default_factory=random.Random, repr=False)
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        """True once the rule has fired ``times`` times."""
        return self.times is not None and self.fired >= self.times

    def matches(self, method_lower: str, chat_id: Any) -> bool:
        """Whether the rule targets this (lower-cased) method and chat."""
        if self.methods is not None and method_lower not in self.methods:
            return False
        return self.chat_id is None or self.chat_id == chat_id


class FaultInjector:
    """An ordered list of :class:`FaultRule`; the first rule that fires wins."""

    def __init__(self, seed: int = 0) -> None:
        self.rules: list[FaultRule] = []
        self._seed = seed
        self._count = 0

    def add(
        self,
        method: str | Iterable[str] | None = "sendMessage",
        chat_id: int | str | None = None,
        error: str = "502",
        times: int | None = 1,
        probability: float = 1.0,
        retry_after: int = 5,
        migrate_to_chat_id: int | None = None,
        seed: int | None = None,
    ) -> FaultRule:
        """Add a rule (see :meth:`sandbox.Sandbox.fail`)."""
        if error not in FAULT_KINDS:
            raise ValueError(f"unknown fault {error!r}; expected one of {sorted(FAULT_KINDS)}")
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        methods: frozenset[str] | None
        if method is None:
            methods = None
        elif isinstance(method, str):
            methods = frozenset({method.lower()})
        else:
            methods = frozenset(m.lower() for m in method)
        self._count += 1
        rng = random.Random(self._seed * 1_000_003 + self._count if seed is None else seed)
        rule = FaultRule(
            error=error,
            methods=methods,
            chat_id=chat_id,
            times=times,
            probability=probability,
            retry_after=retry_after,
            migrate_to_chat_id=migrate_to_chat_id,
            rng=rng,
        )
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def pick(self, method_lower: str, chat_id: Any) -> FaultRule | None:
        """Return the rule that fires for this call (consuming one of its ``times``)."""
        for rule in self.rules:
            if rule.exhausted or not rule.matches(method_lower, chat_id):
                continue
            if rule.probability < 1.0 and rule.rng.random() >= rule.probability:
                continue
            rule.fired += 1
            return rule
        return None
