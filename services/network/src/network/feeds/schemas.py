from __future__ import annotations

from pydantic import BaseModel, Field


class FeedRead(BaseModel):
    url: str = Field(
        description="The subscription URL, with its own token: share it only with those who "
        "may see the events (rotating or revoking the feed invalidates it)"
    )
