"""A day-one interconnect workflow, run against cni_async's built-in emulator.

Replace `emu.client()` with `cni_async.Client()` (a real token and account id in
CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID) and the same code runs for real.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import attrs

import cni_async
from cni_async.testing import Emulator


async def main() -> None:
    """Run the workflow, printing each step."""
    async with Emulator() as emu, emu.client() as cf:
        print(f"Emulator serving the CNI API at {emu.base_url}\n")

        free = [slot async for slot in cf.slots.list(occupied=False)]
        sites = sorted({slot.site for slot in free})
        print(f"1. {len(free)} free slots across {', '.join(sites)}")

        print("2. Ordering a 10G cross-connect in every free slot of", sites[0])
        created = [
            await cf.interconnects.create(
                cni_async.PhysicalInterconnectCreate(slot_id=slot.id, speed="10G")
            )
            for slot in free
            if slot.site == sites[0]
        ]
        gcp = await cf.interconnects.create(
            cni_async.GcpPartnerInterconnectCreate(
                bandwidth="1G", pairing_key="7e51371e-72a3-40b5-b844/us-west1/1"
            )
        )
        for icon in created:
            print(f"   {icon.name:<12} {icon.facility.name}, slot {icon.slot_id[:8]}")
        print(f"   {gcp.name:<12} GCP partner in {gcp.region} at {gcp.speed}")

        print("3. Listing every interconnect, 3 per page:")
        async for page in cf.interconnects.list(limit=3).pages():
            names = ", ".join(icon.name for icon in page.items)
            print(f"   page of {len(page.items)}: {names}  (next cursor: {page.next})")

        icon = created[0]
        print(f"4. Waiting for {icon.name} to come up:")
        while True:
            status = await cf.interconnects.status(icon.name)
            print(f"   {status.state}")
            if status.state == "Healthy":
                break
            await asyncio.sleep(0.2)

        pdf = await cf.interconnects.loa(icon.name, name="ACME Networks")
        path = Path(tempfile.gettempdir()) / f"loa-{icon.name}.pdf"
        path.write_bytes(pdf)
        print(f"5. LOA for {icon.name}: {len(pdf)} bytes of PDF written to {path}")

        cni = await cf.cnis.create(
            cni_async.CniCreate(
                interconnect=icon.name,
                magic=cni_async.MagicSettings(
                    conduit_name="sjc-tunnel-1", description="HQ to SJC", mtu=1476
                ),
                bgp=cni_async.BgpControl(customer_asn=65010, extra_prefixes=["203.0.113.0/24"]),
            )
        )
        print(
            f"6. CNI {cni.id[:8]} on {cni.interconnect}: Cloudflare {cni.p2p_ip}, you {cni.cust_ip}"
        )
        cni = await cf.cnis.update(attrs.evolve(cni, magic=attrs.evolve(cni.magic, mtu=1450)))
        print(f"   MTU changed to {cni.magic.mtu}")

        try:
            await cf.interconnects.get("no-such-interconnect")
        except cni_async.NotFoundError as exc:
            print(f"7. Errors are typed: {type(exc).__name__}: {exc} (cf-ray {exc.request_id})")


if __name__ == "__main__":
    asyncio.run(main())
