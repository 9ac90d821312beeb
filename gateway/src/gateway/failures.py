"""Why a call to a service failed, and the answer the gateway gives for it: one classification
for the proxy, the calls the gateway makes itself (status, OpenAPI, organisations) and the
regional views' fan-outs, so that a service down is 503 everywhere, too slow 504, broken 502."""

from __future__ import annotations

from typing import Literal

import aiohttp
import httpx2

from shared.problems import ProblemError

UpstreamFailure = Literal["timeout", "unavailable", "broken"]

_ANSWERS: dict[UpstreamFailure, tuple[int, str, str]] = {
    "timeout": (504, "did not answer in time", "upstream-timeout"),
    "unavailable": (503, "is unavailable", "upstream-unavailable"),
    "broken": (502, "answered with a broken response", "upstream-error"),
}

_UNAVAILABLE = (
    httpx2.ConnectError,
    httpx2.ConnectTimeout,
    httpx2.PoolTimeout,
    aiohttp.ClientConnectorError,  # refused, unreachable, no such host
    aiohttp.ConnectionTimeoutError,  # connect or pool wait timed out
)


def failure_reason(exc: BaseException) -> UpstreamFailure:
    """Why a call to a service failed, from what the client raised."""
    # Connect timeouts are timeouts too, but they mean nobody is there: check them first.
    if isinstance(exc, _UNAVAILABLE):
        return "unavailable"
    # aiohttp's read timeouts are TimeoutErrors, like the deadline's own.
    if isinstance(exc, TimeoutError | httpx2.TimeoutException):
        return "timeout"
    return "broken"


def as_failure(reason: str) -> UpstreamFailure:
    """A reason as recorded (``"answered 500"`` included) as one of the three failures."""
    if reason == "timeout":
        return "timeout"
    if reason == "unavailable":
        return "unavailable"
    return "broken"


def failure_detail(reason: UpstreamFailure) -> str:
    """What happened, after "The <service> service …"."""
    return _ANSWERS[reason][1]


def failure_problem(reason: UpstreamFailure, service: str) -> ProblemError:
    """The problem the caller gets; the other services are not affected, and it says so."""
    status, _, slug = _ANSWERS[reason]
    return ProblemError(
        status,
        f"upstream_{reason}",
        params={"service": service},
        slug=slug,
        extra={"service": service},
        headers={"Retry-After": "5"} if status == 503 else None,
    )
