"""What the feed routes (and the records that show their feed URL) need of the application:
its feed signer and its public address."""

# No ``from __future__ import annotations``: FastAPI reads these signatures at run time.

from typing import Annotated

from fastapi import Depends, Request

from network.feeds.tokens import FeedSigner, signer_for
from network.settings import Settings


def feed_signer(request: Request) -> FeedSigner:
    """The signer of the application's settings, made once per application."""
    signer: FeedSigner | None = getattr(request.app.state, "feed_signer", None)
    if signer is None:
        settings: Settings = request.app.state.settings
        signer = signer_for(settings.calendar_feed_secret, settings.var_dir)
        request.app.state.feed_signer = signer
    return signer


def public_base_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.public_base_url


Signer = Annotated[FeedSigner, Depends(feed_signer)]
BaseUrl = Annotated[str, Depends(public_base_url)]
