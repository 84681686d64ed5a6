"""The lab's helper process: listeners, probes, crafted packets, in the lab's namespaces.

One process serves every namespace of a lab (issue 24: a process per namespace cost a
Python start-up each, about 1,400 per suite run). It is started in one of them, by the lab's
guard, and serves that one as agent 0; each other namespace gets an agent of its own, a
thread that enters it (setns, which moves only the calling thread) before it makes any
socket. A socket stays in the namespace it was made in, so each agent's listeners, probes
and sessions are its namespace's.

It speaks JSON lines on standard input and output: one request per line, one reply per
line, each with the number of the agent it is for ("agent", 0 when absent). The agents work
at the same time: a reply comes when its agent is done, in any order. The process refuses
to start in a network namespace the lab marked as forbidden (the host's), and an agent
refuses to work in one (it checks its own thread's namespace once it entered), so even a
wrong `ip netns exec` or a wrong path cannot make it listen or probe there.

Requests:
  {"op": "enter", "agent": n, "netns": path}   a new agent n, in the namespace at path
        -> {"ready": "net:[...]"} once it is there
  {"op": "listen", "addrs": [...], "ports": [["tcp", 22], ...]}   -> {"ok": n_sockets}
  {"op": "unlisten"}                                               -> {"ok": 0}
  {"op": "probe", "targets": [[addr, proto, port], ...], "timeout": s}
        -> {"results": ["open" | "refused" | "timeout" | "denied" | "unreachable" | "error:..."]}
  {"op": "craft", "targets": [[src, addr, port, kind], ...], "timeout": s}   (kind: null, xmas, ack)
        -> {"results": ["none" | "rst" | "answered:<flags>"]}
  {"op": "session", "addr": a, "port": p, "timeout": s}   a TCP connection kept open
        -> {"result": "open" | ..., "id": n}
  {"op": "echo", "id": n, "timeout": s}   bytes sent on it must come back (the listeners echo)
        -> {"result": "echoed" | "timeout" | "closed" | "refused" | ...}
  {"op": "quit"}   the agent closes its sockets and ends (agent 0: the whole process)
"""

from __future__ import annotations

import errno
import json
import os
import queue
import resource
import selectors
import socket
import struct
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
    """TCP listeners and UDP sockets that echo what they get; served by one thread. A TCP
    connection stays open until the peer closes it (a probe closes at once)."""

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
                            conn.setblocking(False)
                            self.selector.register(conn, selectors.EVENT_READ, "conn")
                        elif key.data == "conn":
                            self._echo(sock)
                        else:
                            data, peer = sock.recvfrom(RECV)
                            sock.sendto(data, peer)
                    except OSError:
                        pass  # a peer that went away: nothing to serve
            if not events:
                time.sleep(0.005)

    def _echo(self, conn: socket.socket) -> None:
        """Send back what an accepted connection sent; close it when the peer has."""
        try:
            data = conn.recv(RECV)
        except OSError:
            data = b""
        if data:
            try:
                conn.sendall(data)
                return
            except OSError:
                pass
        self.selector.unregister(conn)
        conn.close()


class Sessions:
    """Client TCP connections kept open across requests, to check they survive a firewall."""

    def __init__(self) -> None:
        self.sockets: dict[int, socket.socket] = {}

    def open(self, addr: str, port: int, timeout: float) -> dict:
        sock = socket.socket(_family(addr), socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((addr, port))
        except OSError as exc:
            sock.close()
            return {"result": "timeout" if isinstance(exc, TimeoutError) else ERRNO_RESULT.get(exc.errno, "error")}
        number = len(self.sockets) + 1
        self.sockets[number] = sock
        return {"result": "open", "id": number}

    def echo(self, number: int, timeout: float) -> dict:
        sock = self.sockets[number]
        payload = f"fwguide-session {number} {time.monotonic()}".encode()
        sock.settimeout(timeout)
        try:
            sock.sendall(payload)
            received = b""
            while len(received) < len(payload):
                chunk = sock.recv(RECV)
                if not chunk:
                    return {"result": "closed"}
                received += chunk
        except TimeoutError:
            return {"result": "timeout"}
        except OSError as exc:
            return {"result": ERRNO_RESULT.get(exc.errno, f"error:{exc.strerror}")}
        return {"result": "echoed" if received == payload else "garbled"}

    def close(self) -> None:
        for sock in self.sockets.values():
            sock.close()
        self.sockets.clear()


# A UDP probe must be a new flow. The server's conntrack keeps a flow it answered (the control
# round answers every port) for 30 s, 120 s once assured; a later probe that the kernel gives
# the same source port to the same address and port would be ESTABLISHED there, let in by the
# block's ESTABLISHED rule, and seen open where the table drops it (seen once in a suite run:
# issue 24). So the agent process remembers each UDP flow its agents used, and never sends on
# one again, whichever agent probes. It lives as long as its lab: a scenario, or on a server
# that runs Docker, the phases up to the boot one, which has a lab and a server of its own; a
# container's agent, made anew in each phase, remembers the flows of the phases before it.
UDP_FLOWS: set[tuple[str, int, int]] = set()  # (address, port, source port) used
FLOWS_LOCK = threading.Lock()
FRESH_TRIES = 16


def _fresh_flow(sock: socket.socket, addr: str, port: int) -> socket.socket:
    """`sock` connected to (addr, port) from a source port this process never used for it. A
    used port is held while the kernel picks another, so it cannot be picked again; when no
    port is left (EAGAIN) or none is new after FRESH_TRIES, OSError says so."""
    held = []
    try:
        for _ in range(FRESH_TRIES):
            try:
                sock.connect((addr, port))
            except OSError as exc:
                if exc.errno != errno.EAGAIN or not held:
                    raise
                break  # every free source port is held: none is new
            flow = (addr, port, sock.getsockname()[1])
            with FLOWS_LOCK:
                if flow not in UDP_FLOWS:
                    UDP_FLOWS.add(flow)
                    return sock
            held.append(sock)
            sock = socket.socket(_family(addr), socket.SOCK_DGRAM)
            sock.setblocking(False)
        raise OSError(errno.EADDRINUSE, f"no new source port to {addr} {port}/udp")
    except OSError:
        if held:
            sock.close()  # a socket of ours, not the caller's
        raise
    finally:
        for used in held:
            used.close()


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
                sock = socks[-1] = _fresh_flow(sock, addr, port)
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


TCP_FLAGS = "FSRPAUEC"  # bit 0 (FIN) to bit 7 (CWR), as tcpdump and scapy name them
CRAFTED_FLAGS = {"null": 0, "xmas": 0x29, "ack": 0x10}  # XMAS: FIN, PSH, URG; a lone ACK


def tcp_segment(src: str, dst: str, sport: int, dport: int, flags: int, seq: int, ack: int) -> bytes:
    """A 20-byte TCP header with its checksum over the IPv4 or IPv6 pseudo-header (RFC 793, 8200)."""
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    family = _family(dst)
    addrs = socket.inet_pton(family, src) + socket.inet_pton(family, dst)
    if family == socket.AF_INET:
        pseudo = addrs + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(header))
    else:
        pseudo = addrs + struct.pack("!I3xB", len(header), socket.IPPROTO_TCP)
    total = sum(struct.unpack(f"!{(len(pseudo) + len(header)) // 2}H", pseudo + header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return header[:16] + struct.pack("!H", ~total & 0xFFFF) + header[18:]


def flag_names(flags: int) -> str:
    return "".join(name for bit, name in enumerate(TCP_FLAGS) if flags >> bit & 1)


# The crafted packets' first source port: below the kernel's ephemeral range (32768-60999),
# since the raw socket also sees the answers to the namespace's ordinary probes, whose ports
# come from that range, and one of them could be taken for a crafted packet's answer.
CRAFT_PORT = 20000


def craft(targets: list[tuple[str, str, int, str]], timeout: float) -> list[str]:
    """Send crafted TCP packets and report what, if anything, answered each.

    Each packet is a bare TCP header (flags, sequence numbers, checksum over the given
    addresses) that the kernel sends from a raw TCP socket connected to the target address,
    so that the socket receives only the target's answers, however much other traffic the
    namespace carries while the other probes run.
    """
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
        # A distinct source port per packet, so each answer matches exactly one probe.
        sockets[(family, addr)].send(tcp_segment(src, addr, CRAFT_PORT + i, port, CRAFTED_FLAGS[kind], 1000 + i,
                                                 5000 if kind == "ack" else 0))
    deadline = time.monotonic() + timeout
    pending = set(range(len(targets)))
    while pending and (now := time.monotonic()) < deadline:
        for key, _ in selector.select(timeout=deadline - now):
            data = key.fileobj.recv(RECV)
            # IPv4 raw sockets deliver the IP header too; IPv6 ones only the payload.
            if key.data == socket.AF_INET:
                data = data[(data[0] & 0x0F) * 4:]
            if len(data) < 20:
                continue
            dport, flags = struct.unpack("!H", data[2:4])[0], data[13]
            i = dport - CRAFT_PORT
            if i in pending:
                results[i] = "rst" if flags & 0x04 else f"answered:{flag_names(flags)}"
                pending.discard(i)
    for sock in sockets.values():
        sock.close()
    return results


CLONE_NEWNET = 0x40000000


def _namespace() -> str:
    """The calling thread's network namespace (a thread may have entered another one than the
    process's first thread, which /proc/self names)."""
    return os.readlink("/proc/thread-self/ns/net")


def _enter(path: str) -> None:
    """Move the calling thread, and only it, into the network namespace at `path`."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if hasattr(os, "setns"):  # Python 3.12 and later
            os.setns(fd, CLONE_NEWNET)
        else:  # Debian 12's Python 3.11
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.setns(fd, CLONE_NEWNET) != 0:
                code = ctypes.get_errno()
                raise OSError(code, os.strerror(code))
    finally:
        os.close(fd)


class Output:
    """Standard output, one whole line per reply, whichever agent writes it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def write(self, number: int, reply: dict) -> None:
        with self.lock:
            print(json.dumps({"agent": number, **reply}), flush=True)


class Agent:
    """One namespace's agent: a thread that serves its requests in order. Agent 0 serves the
    namespace the process started in; another one enters its namespace first."""

    def __init__(self, number: int, netns: str | None, forbidden: set[str], output: Output) -> None:
        self.number = number
        self.netns = netns
        self.forbidden = forbidden
        self.output = output
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        self.refused = False  # set before it says so: no request reaches it afterwards
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            if self.netns is not None:
                _enter(self.netns)
            here = _namespace()
        except OSError as exc:
            self.refused = True
            self.output.write(self.number, {"error": f"cannot enter {self.netns}: {exc}"})
            return
        if here in self.forbidden:  # nothing is made in it: the thread only says so and ends
            self.refused = True
            self.output.write(self.number, {"error": f"refusing to run in a forbidden network namespace ({here})"})
            return
        self.output.write(self.number, {"ready": here})
        listeners = Listeners()
        sessions = Sessions()
        try:
            while (request := self.requests.get()) is not None:
                self.output.write(self.number, serve(request, listeners, sessions))
        finally:
            sessions.close()
            listeners.close()


def serve(request: dict, listeners: Listeners, sessions: Sessions) -> dict:
    """One request of an agent, in its thread's namespace."""
    op = request["op"]
    try:
        if op == "listen":
            return {"ok": listeners.open(request["addrs"], [tuple(p) for p in request["ports"]])}
        if op == "unlisten":
            listeners.close()
            return {"ok": 0}
        if op == "probe":
            return {"results": probe([tuple(t) for t in request["targets"]], request["timeout"])}
        if op == "craft":
            return {"results": craft([tuple(t) for t in request["targets"]], request["timeout"])}
        if op == "session":
            return sessions.open(request["addr"], request["port"], request["timeout"])
        if op == "echo":
            return sessions.echo(request["id"], request["timeout"])
        return {"error": f"unknown request {op!r}"}
    except Exception as exc:  # reported to the lab, which fails the scenario with it
        return {"error": f"{type(exc).__name__}: {exc}"}


def main(argv: list[str]) -> int:
    forbidden = {a for a in argv[1:] if not a.startswith("--")}
    here = os.readlink("/proc/self/ns/net")
    if here in forbidden:
        print(json.dumps({"error": f"refusing to run in a forbidden network namespace ({here})"}), flush=True)
        return 97
    _raise_fd_limit()
    output = Output()
    agents = {0: Agent(0, None, forbidden, output)}
    for line in sys.stdin:
        request = json.loads(line)
        number = request.get("agent", 0)
        if request["op"] == "enter":
            if number in agents:
                output.write(number, {"error": f"agent {number} exists already"})
            else:
                agents[number] = Agent(number, request["netns"], forbidden, output)
        elif number not in agents or agents[number].refused:
            output.write(number, {"error": f"no agent {number}"})  # never made, or it refused to work
        elif request["op"] == "quit":
            agents.pop(number).requests.put(None)
            if number == 0:
                break
        else:
            agents[number].requests.put(request)
    for agent in agents.values():
        agent.requests.put(None)
    for agent in agents.values():
        agent.thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
