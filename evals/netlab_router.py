"""A delaying router between the hosts of a NetLab, for kernels without `tc netem`.

    python -m ghostpen.evals.netlab_router --delay-ms 10 NS0 NS1 NS2

Each namespace NSi holds a persistent TUN device `eth0` (an IP-level link: no Ethernet, no
ARP) with its host's address on the lab's /24. The router attaches to every one of them
(setns into the namespace, TUNSETIFF), reads each IPv4 packet a host sends, and writes it to
the TUN of the host that owns its destination address `--delay-ms` later — what `tc netem
delay` on every host's link does (a round trip then costs twice the delay). Packets to an
unknown address, or to a host whose link is down, are dropped. It runs until killed.
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import heapq
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
CLONE_NEWNET = 0x40000000


def _setns(path: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


def attach(ns: str, name: str = "eth0") -> int:
    """An fd on the TUN device `name` of namespace `ns`."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        _setns(f"/run/netns/{ns}")
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    finally:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.setns(home, CLONE_NEWNET)
        os.close(home)
    os.set_blocking(fd, False)
    return fd


def route(fds: dict[bytes, int], delay_s: float) -> None:
    """Forward packets between the TUN fds (keyed by their host's IPv4 address), delayed."""
    queue: list[tuple[float, int, int, bytes]] = []  # (due, order, fd, packet)
    order = 0
    sources = list(fds.values())
    while True:
        wait = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        ready, _, _ = select.select(sources, [], [], wait)
        now = time.monotonic()
        for fd in ready:
            for _ in range(64):
                try:
                    packet = os.read(fd, 65536)
                except (BlockingIOError, OSError):
                    break
                if len(packet) < 20 or packet[0] >> 4 != 4:
                    continue  # IPv4 only (the lab has no IPv6 addresses)
                target = fds.get(packet[16:20])
                if target is not None:
                    order += 1
                    heapq.heappush(queue, (now + delay_s, order, target, packet))
        while queue and queue[0][0] <= time.monotonic():
            _, _, fd, packet = heapq.heappop(queue)
            try:
                os.write(fd, packet)
            except OSError:
                pass  # that host's link is down: the packet is lost


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ghostpen.evals.netlab_router")
    p.add_argument("--delay-ms", type=float, default=0.0)
    p.add_argument("hosts", nargs="+", metavar="NS=ADDRESS")
    args = p.parse_args(argv)
    fds = {}
    for spec in args.hosts:
        ns, addr = spec.split("=")
        fds[bytes(int(x) for x in addr.split("."))] = attach(ns)
    print("routing", flush=True)
    route(fds, args.delay_ms / 1000.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
