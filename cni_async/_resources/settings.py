"""`cf.settings`: the account's CNI settings."""

from __future__ import annotations

from typing import Any

from .. import _validate
from .._models import Settings as SettingsModel
from .._routes import Route
from ._base import Resource

_GET = Route("GET", "/accounts/{account_id}/cni/settings", "get_settings")
_UPDATE = Route("PUT", "/accounts/{account_id}/cni/settings", "update_settings")


class Settings(Resource):
    """The account's CNI settings (its default ASN)."""

    __slots__ = ()

    async def get(self, *, account_id: str | None = None) -> SettingsModel:
        """The current settings."""
        pipeline = self._pipeline
        return await pipeline.json(_GET, pipeline.url(_GET, account_id), SettingsModel)

    async def update(self, *, default_asn: int, account_id: str | None = None) -> SettingsModel:
        """Set the account's default ASN."""
        body: dict[str, Any] = {"default_asn": _validate.integer(default_asn, "default_asn")}
        pipeline = self._pipeline
        return await pipeline.json(_UPDATE, pipeline.url(_UPDATE, account_id), SettingsModel, body)
