"""In-memory state of one emulated account: slots, interconnects, CNIs, settings."""

from __future__ import annotations

import ipaddress
import re
import uuid
import zlib
from typing import Any

import attrs

DEFAULT_ASN = 13335
_NAMESPACE = uuid.UUID("3f0b7c52-8d1e-4f4a-9c53-2b7c1e0d9a61")
_LINK_BASE = int(ipaddress.IPv4Address("100.64.0.0"))
_REGION = re.compile(r"[a-z]+-[a-z]+[0-9]+")
_REGIONS = ("us-west1", "us-central1", "us-east4", "europe-west3", "asia-northeast1")

# Seed: site -> facilities (name, address lines). Fictitious data for tests.
_SITES: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    (
        "SJC",
        (
            ("Equinix SV1", ("11 Great Oaks Blvd", "San Jose, CA 95119", "United States")),
            (
                "Digital Realty SJC34",
                ("1100 Space Park Dr", "Santa Clara, CA 95054", "United States"),
            ),
        ),
    ),
    (
        "AMS",
        (
            ("Equinix AM3", ("Science Park 610", "1098 XH Amsterdam", "Netherlands")),
            ("Digital Realty AMS17", ("Fokkerweg 300", "1438 AN Oude Meer", "Netherlands")),
        ),
    ),
    (
        "NRT",
        (
            ("Equinix TY2", ("3-8-21 Higashi-Shinagawa", "Shinagawa-ku, Tokyo 140-0002", "Japan")),
            ("AT Tokyo CC1", ("3-21-6 Toyosu", "Koto-ku, Tokyo 135-0061", "Japan")),
        ),
    ),
)
_SLOT_SPEEDS = ("10G", "10G", "100G", "100G")


@attrs.define
class StatusTrack:
    """How the status of one interconnect evolves.

    Attributes:
        created: Monotonic time of creation.
        polls: Status requests answered so far.
        forced: A status object set by `Emulator.set_status`, answered as is.
    """

    created: float
    polls: int = 0
    forced: dict[str, Any] | None = None


@attrs.define(eq=False)
class AccountState:
    """Everything the emulator stores for one account.

    Objects are kept as the JSON dicts the API returns, in creation order, so a test
    can inspect them directly. Changing them by hand is allowed but unchecked.

    Attributes:
        account_id: The account tag.
        slots: Slot objects by id.
        interconnects: Interconnect objects by name.
        cnis: CNI objects by id.
        default_asn: The account setting `default_asn`.
        statuses: Status progression of each interconnect, by name.
    """

    account_id: str
    slots: dict[str, dict[str, Any]] = attrs.field(factory=dict[str, dict[str, Any]])
    interconnects: dict[str, dict[str, Any]] = attrs.field(factory=dict[str, dict[str, Any]])
    cnis: dict[str, dict[str, Any]] = attrs.field(factory=dict[str, dict[str, Any]])
    default_asn: int = DEFAULT_ASN
    statuses: dict[str, StatusTrack] = attrs.field(factory=dict[str, StatusTrack])
    _names_issued: int = attrs.field(default=0, init=False)

    @classmethod
    def seeded(cls, account_id: str, seed: int) -> AccountState:
        """A fresh account with the seed sites, facilities and free slots."""
        state = cls(account_id)
        index = 0
        for site, facilities in _SITES:
            for number, (facility, address) in enumerate(facilities, start=1):
                for speed in _SLOT_SPEEDS:
                    slot_id = str(uuid.uuid5(_NAMESPACE, f"{seed}/{account_id}/slot/{index}"))
                    index += 1
                    state.slots[slot_id] = {
                        "id": slot_id,
                        "occupied": False,
                        "site": site,
                        "speed": speed,
                        "facility": {"address": list(address), "name": facility},
                        "ccr_device_name": f"ccr-{site.lower()}-{number:02d}",
                    }
        return state

    def new_interconnect_name(self, prefix: str) -> str:
        """A name not used by any interconnect of this account."""
        while True:
            self._names_issued += 1
            name = f"{prefix}-{self._names_issued}"
            if name not in self.interconnects:
                return name

    def add_physical(
        self, name: str, slot: dict[str, Any], speed: str, reservation: str, now: float
    ) -> dict[str, Any]:
        """Create a direct interconnect on `slot`, which becomes occupied."""
        slot["occupied"] = True
        slot["account"] = self.account_id
        record = {
            "type": "direct",
            "name": name,
            "account": self.account_id,
            "facility": {
                "address": list(slot["facility"]["address"]),
                "name": slot["facility"]["name"],
            },
            "site": slot["site"],
            "slot_id": slot["id"],
            "speed": speed,
            "virtual_port_reservation_id": reservation,
            "ccr_device_name": slot.get("ccr_device_name"),
        }
        return self._add(record, now)

    def add_gcp_partner(
        self, name: str, bandwidth: str, pairing_key: str, reservation: str, now: float
    ) -> dict[str, Any]:
        """Create a GCP partner interconnect; the region comes from the pairing key."""
        record = {
            "type": "gcp_partner",
            "name": name,
            "account": self.account_id,
            "region": region_of(pairing_key),
            "speed": bandwidth,
            "virtual_port_reservation_id": reservation,
        }
        return self._add(record, now)

    def _add(self, record: dict[str, Any], now: float) -> dict[str, Any]:
        self.interconnects[record["name"]] = record
        self.statuses[record["name"]] = StatusTrack(created=now)
        return record

    def remove_interconnect(self, name: str) -> None:
        """Delete an interconnect, free its slot and forget its status."""
        record = self.interconnects.pop(name)
        self.statuses.pop(name, None)
        slot = self.slots.get(record.get("slot_id", ""))
        if slot is not None:
            slot["occupied"] = False
            slot.pop("account", None)

    def cnis_on(self, interconnect: str) -> list[str]:
        """Ids of the CNIs hosted on an interconnect."""
        return [cid for cid, cni in self.cnis.items() if cni["interconnect"] == interconnect]

    def allocate_link(self) -> tuple[str, str]:
        """The next free /31 of 100.64.0.0/10 as (p2p_ip, cust_ip)."""
        used = {
            cni[key].split("/")[0] for cni in self.cnis.values() for key in ("p2p_ip", "cust_ip")
        }
        pair = 0
        while True:
            low = ipaddress.IPv4Address(_LINK_BASE + 2 * pair)
            high = low + 1
            if str(low) not in used and str(high) not in used:
                return f"{low}/31", f"{high}/31"
            pair += 1


def region_of(pairing_key: str) -> str:
    """The GCP region of a pairing key (`<uuid>/<region>/<zone>`), or a stable stand-in."""
    parts = pairing_key.split("/")
    if len(parts) >= 2 and _REGION.fullmatch(parts[1]):  # noqa: PLR2004 - key/region/zone
        return parts[1]
    return _REGIONS[zlib.crc32(pairing_key.encode()) % len(_REGIONS)]
