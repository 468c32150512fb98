"""`cf.settings`: the account's CNI settings."""

from __future__ import annotations

from typing import Any

from .. import _validate
from .._models import Settings
from .._routes import Route
from ._base import Resource

_GET = Route("GET", "/accounts/{account_id}/cni/settings", "settings.get")
_UPDATE = Route("PUT", "/accounts/{account_id}/cni/settings", "settings.update")


class SettingsResource(Resource):
    """The account's CNI settings (its default ASN)."""

    __slots__ = ()

    async def get(self, *, account_id: str | None = None) -> Settings:
        """The current settings."""
        pipeline = self._pipeline
        return await pipeline.request_model(_GET, pipeline.url(_GET, account_id), Settings)

    async def update(self, *, default_asn: int, account_id: str | None = None) -> Settings:
        """Set the account's default ASN."""
        body: dict[str, Any] = {"default_asn": _validate.integer(default_asn, "default_asn")}
        pipeline = self._pipeline
        return await pipeline.request_model(
            _UPDATE, pipeline.url(_UPDATE, account_id), Settings, body
        )
