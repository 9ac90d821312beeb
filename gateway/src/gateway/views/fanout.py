"""Asking several services at once for the figures of one view, as KrakenD and Kong aggregate.

Every call runs concurrently with its own deadline (``view_deadline``), so a view answers within
one deadline, never the sum. What each service failed to give is named in ``errors`` and the view
says ``completed: false``; when every call failed the view itself fails (504 when all were too
slow, else 502). A circuit breaker per service (purgatory) skips a service that failed
``breaker_threshold`` times in a row at once for ``breaker_cooldown_seconds``, then lets the next
call try it again (half-open): one success closes it. Its state is published in ``/metrics``
(``kafaat_backend_circuit_state``) and ``/api/v1/status``.

A service's refusal (a 4xx: bad figures asked, or outside the caller's scope) is an error of the
view but not a failure of the service: it does not move the breaker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from pydantic import BaseModel, Field

from gateway.failures import as_failure, failure_detail
from gateway.proxy import Proxy
from gateway.settings import Settings
from gateway.upstreams import UpstreamError, call
from shared.metrics import CircuitState, Metrics
from shared.principal import Principal
from shared.problems import ProblemError, msg

Reason = Literal["timeout", "unavailable", "broken", "refused", "circuit_open"]

_STATES: dict[str, CircuitState] = {
    "closed": "closed",
    "opened": "open",
    "half-opened": "half_open",
}
# Beyond the three failures of a call (``gateway.failures``): what only a view meets.
_DETAILS: dict[Reason, str] = {
    "timeout": failure_detail("timeout"),
    "unavailable": failure_detail("unavailable"),
    "broken": failure_detail("broken"),
    "refused": "refused the request",
    "circuit_open": "failed repeatedly and is skipped until its cool-down ends",
}


class BackendError(BaseModel):
    """What one service could not give to a view."""

    service: str = Field(examples=["network"])
    reason: Reason
    detail: str = Field(examples=["The network service did not answer in time."])


@dataclass(frozen=True)
class Part:
    """One call of a view: a service and the path of its figures (query string included)."""

    service: str
    path: str


@dataclass
class Gathered:
    """What the calls of a view brought back: each part's JSON, or why it is missing."""

    results: dict[str, Any] = field(default_factory=dict)
    errors: list[BackendError] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return not self.errors

    def raise_if_empty(self) -> None:
        """A view with nothing at all to show is no view: 504 when every call was too slow,
        else 502, naming each service and what happened."""
        if self.results or not self.errors:
            return
        timeouts = all(error.reason == "timeout" for error in self.errors)
        status = 504 if timeouts else 502
        raise ProblemError(
            status,
            "no_figures",
            params={
                "failures": [
                    msg(f"figures_{error.reason}", service=error.service) for error in self.errors
                ]
            },
            slug="upstream-timeout" if timeouts else "upstream-error",
            extra={"errors": [error.model_dump() for error in self.errors]},
        )


class FanOut:
    """The calls of the regional views, and the breakers in front of the services they ask."""

    def __init__(self, proxy: Proxy, settings: Settings, metrics: Metrics) -> None:
        self.proxy = proxy
        self.deadline = settings.view_deadline
        self.breakers = AsyncCircuitBreakerFactory(
            default_threshold=settings.breaker_threshold,
            default_ttl=settings.breaker_cooldown_seconds,
        )

        def publish(circuit: str, event: str, payload: Any) -> None:
            if event == "state_changed":
                state = _STATES.get(getattr(payload, "state", ""), "closed")
                metrics.set_backend_circuit_state(circuit, state)

        self.breakers.add_listener(publish)

    async def state(self, service: str) -> CircuitState:
        breaker = await self.breakers.get_breaker(service)
        return _STATES.get(breaker.context.state, "closed")

    async def gather(self, principal: Principal, parts: Mapping[str, Part]) -> Gathered:
        """Every part at once, as ``principal``; at most one deadline in all."""
        names = list(parts)
        answers = await asyncio.gather(*(self._one(principal, parts[name]) for name in names))
        gathered = Gathered()
        for name, answer in zip(names, answers, strict=True):
            if isinstance(answer, BackendError):
                if all(error.service != answer.service for error in gathered.errors):
                    gathered.errors.append(answer)
            else:
                gathered.results[name] = answer
        return gathered

    async def _one(self, principal: Principal, part: Part) -> Any:
        service = part.service
        breaker = await self.breakers.get_breaker(service)
        try:
            async with breaker:
                response = await call(self.proxy, service, part.path, principal, self.deadline)
                if response.status_code >= 500:
                    raise UpstreamError(service, f"answered {response.status_code}")
                body = response.json() if response.status_code < 400 else None
        except OpenedState:
            return _error(service, "circuit_open")
        except UpstreamError as exc:
            return _error(service, as_failure(exc.reason))
        except ValueError:  # not JSON: the service is fine, its answer is not
            return _error(service, "broken")
        if response.status_code >= 400:
            return _error(service, "refused", f" (it answered {response.status_code})")
        return body


def _error(service: str, reason: Reason, more: str = "") -> BackendError:
    return BackendError(
        service=service,
        reason=reason,
        detail=f"The {service} service {_DETAILS[reason]}{more}.",
    )
