"""The lab's helper process, run inside one namespace: listeners, probes, crafted packets.

It speaks JSON lines on standard input and output: one request per line, one reply per
line. It refuses to start in a network namespace the lab marked as forbidden (the host's),
so even a wrong `ip netns exec` cannot make it listen or probe there.

Requests:
  {"op": "listen", "addrs": [...], "ports": [["tcp", 22], ...]}   -> {"ok": n_sockets}
  {"op": "unlisten"}                                               -> {"ok": 0}
  {"op": "probe", "targets": [[addr, proto, port], ...], "timeout": s}
        -> {"results": ["open" | "refused" | "timeout" | "denied" | "unreachable" | "error:..."]}
  {"op": "craft", "targets": [[src, addr, port, kind], ...], "timeout": s}   (kind: null, xmas, ack)
        -> {"results": ["none" | "rst" | "answered:<flags>"]}
  {"op": "quit"}
"""

from __future__ import annotations

import errno
import json
import os
import resource
import selectors
import socket
import sys
import threading
import time

RECV = 2048
UDP_RESENDS = 3  # datagrams per UDP probe, spread over the timeout
ERRNO_RESULT = {
    0: "open",
    errno.ECONNREFUSED: "refused",
    errno.EPERM: "denied",  # the probing host's own OUTPUT chain dropped it
    errno.EACCES: "denied",
    errno.EHOSTUNREACH: "unreachable",
    errno.ENETUNREACH: "unreachable",
    errno.ECONNRESET: "refused",
}


def _family(addr: str) -> int:
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Listeners:
    """TCP listeners that accept and close, UDP sockets that echo; served by one thread."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def open(self, addrs: list[str], ports: list[tuple[str, int]]) -> int:
        with self.lock:
            for addr in addrs:
                for proto, port in ports:
                    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
                    sock = socket.socket(_family(addr), kind)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind((addr, port))
                    if proto == "tcp":
                        sock.listen(64)
                    sock.setblocking(False)
                    self.selector.register(sock, selectors.EVENT_READ, proto)
                    self.sockets.append(sock)
        if self.thread is None:
            self.stop.clear()
            self.thread = threading.Thread(target=self._serve, daemon=True)
            self.thread.start()
        return len(self.sockets)

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        with self.lock:
            for sock in self.sockets:
                self.selector.unregister(sock)
                sock.close()
            self.sockets.clear()

    def _serve(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                events = self.selector.select(timeout=0.02) if self.sockets else []
                for key, _ in events:
                    sock = key.fileobj
                    try:
                        if key.data == "tcp":
                            conn, _ = sock.accept()
                            conn.close()
                        else:
                            data, peer = sock.recvfrom(RECV)
                            sock.sendto(data, peer)
                    except OSError:
                        pass  # a peer that went away: nothing to serve
            if not events:
                time.sleep(0.005)


def probe(targets: list[tuple[str, str, int]], timeout: float) -> list[str]:
    """Try every target at once; each gets `timeout` seconds at most, all share one deadline."""
    selector = selectors.DefaultSelector()
    results: list[str | None] = [None] * len(targets)
    udp: dict[int, tuple[socket.socket, bytes]] = {}
    socks: list[socket.socket] = []
    for i, (addr, proto, port) in enumerate(targets):
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        sock = socket.socket(_family(addr), kind)
        sock.setblocking(False)
        socks.append(sock)
        if proto == "tcp":
            code = sock.connect_ex((addr, port))
            if code in (errno.EINPROGRESS, 0):
                selector.register(sock, selectors.EVENT_WRITE, i)
            else:
                results[i] = ERRNO_RESULT.get(code, f"error:{errno.errorcode.get(code, code)}")
        else:
            payload = f"fwguide-probe {i} {port}".encode()
            try:
                sock.connect((addr, port))
                sock.send(payload)
            except OSError as exc:
                results[i] = ERRNO_RESULT.get(exc.errno, f"error:{exc.strerror}")
                continue
            udp[i] = (sock, payload)
            selector.register(sock, selectors.EVENT_READ, i)
    start = time.monotonic()
    deadline = start + timeout
    resend_every = timeout / UDP_RESENDS
    next_resend = start + resend_every
    while selector.get_map() and (now := time.monotonic()) < deadline:
        for key, _ in selector.select(timeout=max(0.0, min(deadline, next_resend) - now)):
            i = key.data
            sock = key.fileobj
            if i in udp:
                try:
                    data = sock.recv(RECV)
                except OSError as exc:
                    results[i] = ERRNO_RESULT.get(exc.errno, f"error:{exc.strerror}")
                else:
                    if data != udp[i][1]:
                        continue  # not our echo: keep waiting
                    results[i] = "open"
            else:
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                results[i] = ERRNO_RESULT.get(code, f"error:{errno.errorcode.get(code, code)}")
            selector.unregister(sock)
        if time.monotonic() >= next_resend:
            next_resend += resend_every
            for i, (sock, payload) in udp.items():
                if results[i] is None:
                    try:
                        sock.send(payload)
                    except OSError:
                        pass  # the reply (or its error) is read above
    for sock in socks:
        sock.close()
    return [r if r is not None else "timeout" for r in results]


def craft(targets: list[tuple[str, str, int, str]], timeout: float) -> list[str]:
    """Send TCP packets crafted with scapy and report what, if anything, answered each.

    Scapy builds each packet (flags, sequence numbers, checksum over the given addresses);
    the kernel sends it from a raw TCP socket connected to the target address, so that the
    socket receives only the target's answers, however much other traffic the namespace
    carries while the other probes run.
    """
    from scapy.layers.inet import IP, TCP
    from scapy.layers.inet6 import IPv6

    flags = {"null": "", "xmas": "FPU", "ack": "A"}
    results = ["none"] * len(targets)
    sockets: dict[tuple[int, str], socket.socket] = {}
    selector = selectors.DefaultSelector()
    for i, (src, addr, port, kind) in enumerate(targets):
        family = _family(addr)
        if (family, addr) not in sockets:
            sock = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_TCP)
            sock.connect((addr, 0))  # the kernel keeps only packets from this address
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, family)
            sockets[(family, addr)] = sock
        ip = IPv6(src=src, dst=addr) if family == socket.AF_INET6 else IP(src=src, dst=addr)
        # A distinct source port per packet, so each answer matches exactly one probe.
        packet = ip / TCP(sport=40000 + i, dport=port, flags=flags[kind], seq=1000 + i,
                          ack=5000 if kind == "ack" else 0)
        segment = bytes(packet[TCP])  # checksum computed by scapy over src and dst
        sockets[(family, addr)].send(segment)
    deadline = time.monotonic() + timeout
    pending = set(range(len(targets)))
    while pending and (now := time.monotonic()) < deadline:
        for key, _ in selector.select(timeout=deadline - now):
            data = key.fileobj.recv(RECV)
            # IPv4 raw sockets deliver the IP header too; IPv6 ones only the payload.
            tcp = IP(data)[TCP] if key.data == socket.AF_INET else TCP(data)
            i = tcp.dport - 40000
            if i in pending:
                results[i] = "rst" if "R" in str(tcp.flags) else f"answered:{tcp.flags}"
                pending.discard(i)
    for sock in sockets.values():
        sock.close()
    return results


def _preload_scapy() -> None:
    import scapy.layers.inet6  # noqa: F401  (about 0.2 s: done while the lab starts up)


def main(argv: list[str]) -> int:
    preload = "--preload-scapy" in argv
    forbidden = {a for a in argv[1:] if not a.startswith("--")}
    here = os.readlink("/proc/self/ns/net")
    if here in forbidden:
        print(json.dumps({"error": f"refusing to run in a forbidden network namespace ({here})"}), flush=True)
        return 97
    _raise_fd_limit()
    if preload:
        threading.Thread(target=_preload_scapy, daemon=True).start()
    listeners = Listeners()
    print(json.dumps({"ready": here}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        try:
            if op == "listen":
                reply = {"ok": listeners.open(request["addrs"], [tuple(p) for p in request["ports"]])}
            elif op == "unlisten":
                listeners.close()
                reply = {"ok": 0}
            elif op == "probe":
                reply = {"results": probe([tuple(t) for t in request["targets"]], request["timeout"])}
            elif op == "craft":
                reply = {"results": craft([tuple(t) for t in request["targets"]], request["timeout"])}
            elif op == "quit":
                break
            else:
                reply = {"error": f"unknown request {op!r}"}
        except Exception as exc:  # reported to the lab, which fails the scenario with it
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)
    listeners.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
