#!/usr/bin/env python3
"""A rolling replacement behind a load balancer, without linger and with it.

Real parts: haproxy as the load balancer (no retries; no health checks, like a cloud load
balancer that keeps routing to a target until its deregistration has propagated, except in the
scenarios where it learns only from health checks), nginx backends,
each in a network namespace of its own as in a pod, and siege as the load. Two small actors play
Kubernetes:

- the "controller" takes the old backend out of haproxy (state maint, through the admin socket)
  a lag after the stop begins: the endpoint/target deregistration delay;
- the "kubelet" stops the old backend: the preStop hook if there is one (run inside the pod's
  network namespace), then the stop signal, then SIGKILL when the grace period is over.

Each scenario is a rolling replacement: the new backend is up and in haproxy before the old one
is stopped. The table shows how many requests the load saw fail and when the old backend exited;
the figure shows, per 100 ms, the requests the old backend served and those that failed. Exits 1
when the rows no longer show the point (see verdict()).
"""

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Optional

PORT = 8080  # every backend's port, inside its own pod
READY_PORT = 8081  # linger's --ready-port, in the scenario that has one
LONGEST = 60.0  # the until-idle scenarios' longest wait (their DURATION or --delay)
BIN = 0.1  # the figure's time resolution, in seconds


@dataclass
class Scenario:
    number: int
    title: str
    stop_signal: signal.Signals
    hook: Optional[list[str]] = None  # preStop: `linger HOOK...` runs before the stop signal
    wrapper: Optional[list[str]] = None  # entrypoint: `linger WRAPPER... -- nginx ...`
    delay: Optional[float] = None  # a fixed delay; None without linger and with --until-idle
    until_idle: bool = False
    # None: the controller deregisters the old backend a lag after the stop. Else the load
    # balancer learns only from its health checks, of this port: PORT (the app) or READY_PORT.
    checked_port: Optional[int] = None


@dataclass
class Row:
    scenario: Scenario
    lag: float
    requests: int = 0
    failed: int = 0
    exited_after: float = 0.0  # seconds from the start of the stop
    deregistered_after: float = 0.0  # the same for the controller's deregistration
    # The timeline: from `start` (seconds from the stop, negative: the warmup on), per BIN, the
    # requests the old backend served and those that failed.
    start: float = 0.0
    served: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)

    def availability(self) -> str:
        if self.requests == 0:
            return "-"
        return f"{100.0 * (self.requests - self.failed) / self.requests:.2f}%"

    def past_deregistration(self) -> float:
        """How long the old backend outlived its deregistration: negative when it left first."""
        return self.exited_after - self.deregistered_after


def seconds(text: str) -> float:
    """A duration as linger spells the simple ones: 3, 1.5, 500ms, 3s, 1m."""
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m)?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"bad duration '{text}' (e.g. 3s, 500ms, 1.5)")
    value = float(match.group(1))
    return value * {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]


def seconds_list(text: str) -> list[float]:
    return [seconds(item) for item in text.split(",")]


def for_linger(value: float) -> str:
    return f"{value:g}s"


def log(message: str) -> None:
    print(f"demo: {message}", file=sys.stderr, flush=True)


def program(name: str) -> str:
    # nginx, haproxy and ip live in /usr/sbin, which a non-root PATH may lack.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        sys.exit(f"demo: {name} not found (scripts/demo installs it)")
    return found


def run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")


def private_network() -> None:
    """Moves the demo into a network namespace of its own, so that the pods' links and addresses
    never touch the machine's; without root, inside a user namespace where it is root."""
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(clone_newnet | (clone_newuser if uid != 0 else 0)) != 0:
        error = ctypes.get_errno()
        sys.exit(f"demo: cannot make a network namespace: {os.strerror(error)} (run it as root)")
    if uid != 0:
        for path, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"),
                           ("gid_map", f"0 {gid} 1")):
            with open(f"/proc/self/{path}", "w") as f:
                f.write(text)
    run([program("ip"), "link", "set", "lo", "up"])


def poll(ready: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout:g}s")
        time.sleep(0.02)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


class Processes:
    """Every process the demo starts, each in its own session so cleanup reaches its children."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, argv: list[str], log_path: str, **kwargs) -> subprocess.Popen:
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                    start_new_session=True, **kwargs)
        self.started.append(proc)
        return proc

    def kill_all(self) -> None:
        for proc in self.started:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        self.started.clear()


class Pod:
    """A pod's network namespace, held by a pause process as in Kubernetes, linked to the node
    (the demo's namespace) by a veth pair: the pod is 10.77.N.2, the node 10.77.N.1. linger's
    --until-idle sees only this namespace's connections: those of this one backend.

    N, and so the link's name and both addresses, is new for every pod the demo makes: the
    kernel tears a namespace down after its last process is gone, at its own pace, so what one
    scenario made may still exist when the next one starts."""

    def __init__(self, procs: Processes, workdir: str, name: str, index: int) -> None:
        own = os.readlink("/proc/self/ns/net")
        pause = procs.start(["unshare", "--net", "sleep", "infinity"],
                            os.path.join(workdir, f"{name}-pause.log"))
        netns = f"/proc/{pause.pid}/ns/net"
        poll(lambda: os.readlink(netns) != own, 5, f"pod {name}")
        self.enter = ["nsenter", f"--net={netns}"]
        self.address = f"10.77.{index}.2"
        self.link = f"pod{index}"
        ip = program("ip")
        run([ip, "link", "add", self.link, "type", "veth", "peer", "name", "eth0", "netns",
             str(pause.pid)])
        run([ip, "address", "add", f"10.77.{index}.1/24", "dev", self.link])
        run([ip, "link", "set", self.link, "up"])
        for command in (["address", "add", f"{self.address}/24", "dev", "eth0"],
                        ["link", "set", "eth0", "up"], ["link", "set", "lo", "up"]):
            run(self.enter + [ip] + command)

    def remove(self) -> None:
        """Deletes the veth pair now (its pod end goes with it), rather than whenever the kernel
        gets to the namespace."""
        ip = program("ip")
        done = subprocess.run([ip, "link", "delete", self.link], capture_output=True, text=True)
        # The pair is also gone when the kernel got to the pod's namespace first.
        gone = subprocess.run([ip, "link", "show", self.link], capture_output=True).returncode
        if done.returncode != 0 and gone == 0:
            raise RuntimeError(f"ip link delete {self.link}: {done.stderr.strip()}")


class Nginx:
    """One backend: an nginx listening on PORT, with its config, pid and temp paths in
    `workdir`. Its workers run as root: the demo may be root only in a user namespace, where no
    other user exists."""

    def __init__(self, workdir: str, name: str) -> None:
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        self.conf = os.path.join(self.dir, "nginx.conf")
        d = self.dir
        with open(self.conf, "w") as f:
            f.write(f"""user root root;
worker_processes 1;
pid {d}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  error_log {d}/error.log;
  client_body_temp_path {d}/client_body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  server {{
    listen {PORT};
    location / {{ return 200 "{name}\\n"; }}
  }}
}}
""")
        self.log = os.path.join(self.dir, "stderr.log")

    def argv(self) -> list[str]:
        return [program("nginx"), "-e", f"{self.dir}/error.log", "-p", self.dir, "-c", self.conf,
                "-g", "daemon off;"]


class Haproxy:
    """The load balancer on 127.0.0.1:`port`: servers `old` (in service) and `new` (not yet).
    Logs one line per request: its start (seconds since the epoch), the server, the status."""

    LINE = re.compile(r"^(\d+)\.(\d{3}) (\S+) (-?\d+)$")

    def __init__(self, workdir: str, old: Pod, new: Pod, port: int,
                 checked_port: Optional[int]) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self.socket = os.path.join(workdir, "haproxy.sock")
        self.conf = os.path.join(workdir, "haproxy.cfg")
        self.log = os.path.join(workdir, "haproxy.log")
        # `retries 0`: a request routed to a backend that is gone fails. No `check` on the
        # servers, as at a cloud load balancer that routes until deregistration has propagated;
        # or, where it learns only from health checks, one every second, two failed ones take a
        # server out, one passed one puts it back.
        check = ""
        if checked_port is not None:
            check = f" check port {checked_port} inter 1s fall 2 rise 1"
        with open(self.conf, "w") as f:
            f.write(f"""global
  stats socket {self.socket} mode 600 level admin
  maxconn 4096
  log stdout format raw local0
defaults
  mode http
  log global
  log-format "%Ts.%ms %s %ST"
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 0
frontend web
  bind 127.0.0.1:{port}
  default_backend app
backend app
  balance roundrobin
  option httpchk GET /
  server old {old.address}:{PORT}{check}
  server new {new.address}:{PORT}{check} disabled
""")

    def argv(self) -> list[str]:
        return [program("haproxy"), "-db", "-f", self.conf]

    def ask(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.socket)
            s.sendall(command.encode() + b"\n")
            reply = b""
            while chunk := s.recv(4096):
                reply += chunk
        return reply.decode(errors="replace").strip()

    def admin(self, command: str) -> None:
        if reply := self.ask(command):
            raise RuntimeError(f"haproxy '{command}': {reply}")

    def is_down(self, server: str) -> bool:
        """Whether the health checks have taken `server` (of backend app) out."""
        for line in self.ask("show stat").splitlines():
            fields = line.split(",")
            if len(fields) > 17 and fields[0] == "app" and fields[1] == server:
                return fields[17].startswith("DOWN")
        raise RuntimeError(f"haproxy has no server app/{server}")

    def timeline(self, row: Row, stop_epoch: float, end: float) -> None:
        """Fills row.served and row.lost from the log, per BIN from row.start to `end`."""
        bins = int((end - row.start) / BIN) + 1
        row.served, row.lost = [0] * bins, [0] * bins
        with open(self.log, errors="replace") as f:
            for line in f:
                match = self.LINE.match(line.strip())
                if not match:
                    continue
                at = int(match.group(1)) + int(match.group(2)) / 1000 - stop_epoch
                index = int((at - row.start) / BIN)
                if not 0 <= index < bins:
                    continue
                status = int(match.group(4))
                if status >= 500:
                    row.lost[index] += 1
                elif match.group(3) == "old" and status > 0:
                    row.served[index] += 1


class Siege:
    """The load: siege until told to stop, with every failure counted (no abort threshold)."""

    def __init__(self, workdir: str, procs: Processes, url: str, args) -> None:
        home = os.path.join(workdir, "siege-home")
        os.makedirs(home)
        rc = os.path.join(workdir, "siegerc")
        with open(rc, "w") as f:
            # siege gives up after 1024 failures by default: then nothing would be counted.
            f.write("failures = 1000000000\nlogging = false\nshow-logfile = false\n"
                    "connection = keep-alive\nprotocol = HTTP/1.1\n")
        self.err = os.path.join(workdir, "siege.err")
        out = os.path.join(workdir, "siege.json")
        self.out = out
        argv = [shutil.which("siege") or "siege", f"--rc={rc}", "--json-output",
                f"--concurrent={args.concurrency}", f"--delay={args.pause:g}", "--time=60M", url]
        with open(out, "wb") as stdout, open(self.err, "wb") as stderr:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout,
                                         stderr=stderr, start_new_session=True,
                                         env=dict(os.environ, HOME=home))
        procs.started.append(self.proc)

    def stop(self) -> tuple[int, int]:
        """Ends the load (siege prints its totals on SIGINT) and returns (requests, failed)."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise RuntimeError("siege did not stop within 30s of SIGINT")
        with open(self.out) as f:
            text = f.read()
        try:
            totals = json.loads(text[text.index("{"):text.rindex("}") + 1])
        except ValueError:
            with open(self.err) as f:
                raise RuntimeError(f"siege printed no totals: {text!r} {f.read()[-500:]!r}")
        failed = int(totals["failed_transactions"])
        return int(totals["transactions"]) + failed, failed


def kubelet_stop(scenario: Scenario, old: subprocess.Popen, pod: Pod, args, procs: Processes,
                 workdir: str) -> float:
    """Stops the old backend as the kubelet does; returns seconds until it exited."""
    start = time.monotonic()
    deadline = start + args.grace
    if scenario.hook:
        # The hook runs in the container, so in the pod's network namespace, to its end (or the
        # grace period's) before the stop signal is sent.
        hook = procs.start(pod.enter + [args.linger] + scenario.hook,
                           os.path.join(workdir, "prestop.log"))
        try:
            hook.wait(timeout=args.grace)
        except subprocess.TimeoutExpired:
            os.killpg(hook.pid, signal.SIGKILL)
    if old.poll() is None:
        old.send_signal(scenario.stop_signal)
    try:
        old.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        log(f"grace period of {args.grace:g}s over: SIGKILL")
        os.killpg(old.pid, signal.SIGKILL)
        old.wait()
    return time.monotonic() - start


def linger_lines(*paths: str) -> list[str]:
    lines = []
    for path in paths:
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                lines += [line.rstrip() for line in f if line.startswith("linger: ")]
    return lines


def install_linger(linger: str, directory: str) -> str:
    """Puts linger where the backends run it from, as an initContainer does into an emptyDir."""
    os.makedirs(directory)
    done = subprocess.run([linger, "install", directory], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"linger install {directory}: {done.stderr.strip()}")
    installed = done.stdout.strip()
    log(f"linger install {directory}: {installed}")
    return installed


def run_scenario(scenario: Scenario, lag: float, args, workdir: str, number: int) -> Row:
    """Runs one scenario; `number` counts the runs from 0 and makes the pods' links and
    addresses and the load balancer's port its own."""
    row = Row(scenario, lag, start=-args.warmup)
    os.makedirs(workdir)
    procs = Processes()
    pods: list[Pod] = []
    try:
        old_pod = Pod(procs, workdir, "old", 2 * number + 1)
        pods.append(old_pod)
        new_pod = Pod(procs, workdir, "new", 2 * number + 2)
        pods.append(new_pod)
        old, new = Nginx(workdir, "old"), Nginx(workdir, "new")
        old_argv = old_pod.enter + old.argv()
        if scenario.wrapper:
            old_argv = old_pod.enter + [args.linger] + scenario.wrapper + ["--"] + old.argv()
        old_proc = procs.start(old_argv, old.log)
        poll(lambda: answers(f"http://{old_pod.address}:{PORT}/"), 10, "old backend")
        lb = Haproxy(workdir, old_pod, new_pod, 10000 + number, scenario.checked_port)
        procs.start(lb.argv(), lb.log)
        poll(lambda: answers(lb.url), 10, "haproxy")

        load = Siege(workdir, procs, lb.url, args)
        load_start = time.monotonic()
        # Rolling replacement: the new backend serves and is in the load balancer first.
        new_argv = new_pod.enter + new.argv()
        if scenario.checked_port is not None and scenario.wrapper:
            # The new pod runs the same image as the old: its checks must pass where the old one's
            # fail (with --ready-port, it answers them too).
            new_argv = new_pod.enter + [args.linger] + scenario.wrapper + ["--"] + new.argv()
        procs.start(new_argv, new.log)
        poll(lambda: answers(f"http://{new_pod.address}:{PORT}/"), 10, "new backend")
        lb.admin("set server app/new state ready")
        time.sleep(max(0.0, load_start + args.warmup - time.monotonic()))

        log(f"lag {lag:g}s, scenario {scenario.number}: {scenario.title}: stopping the old "
            "backend")
        stop_start, stop_epoch = time.monotonic(), time.time()
        # The controller: deregistration takes effect `lag` after the stop began. Where the load
        # balancer learns from health checks instead, the moment they take the old backend out.
        controller_error = []

        def deregister() -> None:
            try:
                lb.admin("set server app/old state maint")
                row.deregistered_after = time.monotonic() - stop_start
            except (OSError, RuntimeError) as error:
                controller_error.append(error)

        def watch_checks() -> None:
            try:
                poll(lambda: lb.is_down("old"), args.grace, "the health checks' verdict")
                row.deregistered_after = time.monotonic() - stop_start
            except (OSError, RuntimeError) as error:
                controller_error.append(error)

        if scenario.checked_port is None:
            controller = threading.Timer(lag, deregister)
        else:
            controller = threading.Thread(target=watch_checks)
        controller.start()
        row.exited_after = kubelet_stop(scenario, old_proc, old_pod, args, procs, workdir)
        controller.join()
        if controller_error:
            raise RuntimeError(f"controller: {controller_error[0]}")
        # Load goes on until the old backend is gone and deregistered, and then a little longer.
        end = max(load_start + args.duration,
                  stop_start + max(row.exited_after, row.deregistered_after) + args.tail)
        time.sleep(max(0.0, end - time.monotonic()))
        row.requests, row.failed = load.stop()
        lb.timeline(row, stop_epoch, end - stop_start)
        for line in linger_lines(old.log, os.path.join(workdir, "prestop.log")):
            log(f"  {line}")
        return row
    finally:
        procs.kill_all()
        for pod in pods:
            pod.remove()


def print_table(rows: list[Row], args) -> None:
    print(f"\nrolling replacement under load ({args.concurrency} clients); the old backend is "
          "deregistered a lag after its stop begins\n(7 and 8: taken out by the load balancer's "
          "health checks, every 1s, out after 2 failed)\n")
    header = f"{'lag':>4}  {'#':>1}  {'scenario':<56} {'requests':>8} {'failed':>6} " \
             f"{'availability':>12} {'old backend exited after':>24} " \
             f"{'past deregistration':>19}"
    print(header)
    print("-" * len(header))
    for row in rows:
        s = row.scenario
        lag = f"{row.lag:g}s"
        print(f"{lag:>4}  {s.number:>1}  {s.title:<56} {row.requests:>8} {row.failed:>6} "
              f"{row.availability():>12} {row.exited_after:>23.1f}s "
              f"{row.past_deregistration():>+18.1f}s")
    print(flush=True)


def expects_loss(scenario: Scenario, lag: float) -> Optional[bool]:
    """Whether the scenario must lose requests at this lag; None when it is too close to call."""
    if scenario.until_idle:
        return False
    if scenario.delay is None or scenario.checked_port == PORT:
        # The app passes its health checks until it exits: the checks only then take it out.
        return True
    if scenario.delay >= lag + 1:
        return False
    if scenario.delay <= lag - 1:
        return True
    return None


def verdict(rows: list[Row], args) -> list[str]:
    """What is wrong with the rows as a demonstration; empty when they show the point: without
    linger requests are lost, a fixed delay loses them when the lag outlasts it, and --until-idle
    loses none and ends the stop within --idle (plus 2s for a noisy machine) of the
    deregistration."""
    problems = []
    for row in rows:
        s = row.scenario
        name = f"lag {row.lag:g}s, scenario {s.number} ({s.title})"
        expected = expects_loss(s, row.lag)
        if row.requests == 0:
            problems.append(f"{name}: the load made no request")
        elif expected is True and row.failed == 0:
            problems.append(f"{name} lost no request: the lag no longer shows")
        elif expected is False and row.failed > 0:
            problems.append(f"{name} lost {row.failed} requests")
        elif s.until_idle and row.past_deregistration() > args.idle + 2:
            problems.append(f"{name} ended {row.past_deregistration():.1f}s after the "
                            f"deregistration, not about {args.idle:g}s")
    return problems


def write_figure(rows: list[Row], path: str) -> None:
    """The timelines as a plain SVG, one column per lag and one panel per scenario: per BIN, the
    requests the old backend served (blue) and the failed ones (red), with the stop (black), the
    deregistration (orange) and the old backend's exit (green) marked."""
    lags = sorted({row.lag for row in rows})
    per_lag = len(rows) // len(lags)
    left, width, height, title, gap = 20, 440, 50, 34, 16
    start = min(row.start for row in rows)
    end = max(row.start + len(row.served) * BIN for row in rows)
    peak = max(max(s + f for s, f in zip(row.served, row.lost)) for row in rows) or 1
    bar = width * BIN / (end - start)
    columns = len(lags) * (left + width)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{columns + left}" '
           f'height="{60 + per_lag * (title + height + gap)}" font-family="sans-serif" '
           'font-size="12"><rect width="100%" height="100%" fill="white"/>',
           f'<text x="{left}" y="16">Requests per {BIN * 1000:.0f} ms <tspan fill="#3b6fb6">'
           'served by the old backend</tspan> and <tspan fill="#d62728">failed</tspan>, over '
           'seconds from the stop.</text>',
           f'<text x="{left}" y="32">Marks: the stop (black), the deregistration (orange), the '
           'old backend\'s exit (green).</text>']
    for column, lag in enumerate(lags):
        x0 = left + column * (left + width)
        x = lambda t: x0 + (t - start) / (end - start) * width  # noqa: E731
        out.append(f'<text x="{x0}" y="56" font-weight="bold">deregistration lag {lag:g}s'
                   '</text>')
        top = 60
        for row in (row for row in rows if row.lag == lag):
            s = row.scenario
            base = top + title + height
            out.append(f'<text x="{x0}" y="{top + 14}">{s.number}. {s.title}</text>')
            past = row.past_deregistration()
            out.append(f'<text x="{x0}" y="{top + 28}" fill="#555">{row.failed} failed, exited '
                       f'{abs(past):.1f}s {"after" if past >= 0 else "before"} the '
                       'deregistration</text>')
            out.append(f'<line x1="{x0}" y1="{base}" x2="{x0 + width}" y2="{base}" '
                       'stroke="#999"/>')
            for i, (served, lost) in enumerate(zip(row.served, row.lost)):
                t = row.start + i * BIN
                for value, below, color in ((served, 0, "#3b6fb6"), (lost, served, "#d62728")):
                    if value:
                        h = value / peak * height
                        y = base - below / peak * height - h
                        out.append(f'<rect x="{x(t):.1f}" y="{y:.1f}" width="{bar:.1f}" '
                                   f'height="{h:.1f}" fill="{color}"/>')
            for t, color in ((0.0, "black"), (row.deregistered_after, "#ff7f0e"),
                             (row.exited_after, "#2ca02c")):
                out.append(f'<line x1="{x(t):.1f}" y1="{top + title}" x2="{x(t):.1f}" '
                           f'y2="{base}" stroke="{color}" stroke-width="2"/>')
            for t in range(int(start), int(end) + 1):
                out.append(f'<text x="{x(t):.1f}" y="{base + 11}" font-size="9" '
                           f'text-anchor="middle" fill="#666">{t}</text>')
            top = base + gap
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description="Shows requests lost during a rolling replacement without linger, none with "
                    "it, and --until-idle ending the delay about one idle window after the "
                    "deregistration. Durations D: 3, 1.5, 500ms, 3s, 1m. Needs root, or user "
                    "namespaces: it runs in network namespaces of its own.")
    parser.add_argument("--lag", metavar="LIST", type=seconds_list, default=[3.0],
                        help="deregistration lags: from the stop until the load balancer stops "
                             "routing to the old backend; every scenario runs once per lag "
                             "(default 3s; e.g. 3,8)")
    parser.add_argument("--delay", metavar="LIST", type=seconds_list, default=[5.0, 10.0],
                        help="the fixed delays of scenarios 3 and 4, one row each (default 5,10)")
    parser.add_argument("--idle", metavar="D", type=seconds, default=1.0,
                        help=f"--until-idle's window in scenarios 5 and 6, whose longest wait is "
                             f"{LONGEST:g}s (default 1s)")
    parser.add_argument("--grace", metavar="D", type=seconds, default=90.0,
                        help="terminationGracePeriodSeconds: SIGKILL after this (default 90s)")
    parser.add_argument("--concurrency", metavar="N", type=int, default=10,
                        help="simultaneous siege clients (default 10)")
    parser.add_argument("--pause", metavar="D", type=seconds, default=0.05,
                        help="each client's random pause between requests, at most this "
                             "(siege --delay; default 0.05s)")
    parser.add_argument("--duration", metavar="D", type=seconds, default=8.0,
                        help="load per scenario, at least (default 8s); it always goes on "
                             "until the old backend is gone and deregistered, plus --tail")
    parser.add_argument("--warmup", metavar="D", type=seconds, default=1.0,
                        help="load before the stop begins (default 1s)")
    parser.add_argument("--tail", metavar="D", type=seconds, default=1.0,
                        help="load after the old backend is gone and deregistered (default 1s)")
    parser.add_argument("--scenarios", metavar="LIST", default="1,2,3,4,5,6,7,8",
                        help="which scenarios to run (default all: 1,2,3,4,5,6,7,8)")
    parser.add_argument("--figure", metavar="FILE", default="build/demo-timeline.svg",
                        help="where to write the timeline figure (default "
                             "build/demo-timeline.svg)")
    parser.add_argument("--linger", metavar="PATH", default="build/release/src/linger",
                        help="the linger binary (scripts/demo builds it when not given)")
    args = parser.parse_args()
    if args.grace <= LONGEST:
        parser.error(f"--grace {args.grace:g}s must exceed the until-idle scenarios' longest "
                     f"wait, {LONGEST:g}s")
    try:
        wanted = {int(n) for n in args.scenarios.split(",")}
    except ValueError:
        parser.error(f"bad --scenarios '{args.scenarios}' (e.g. 1,3)")
    if not wanted or not wanted <= set(range(1, 9)):
        parser.error(f"bad --scenarios '{args.scenarios}' (numbers 1 to 8)")
    args.selected = scenarios(args, wanted)
    # Each run's pods take two /24s of 10.77.0.0/16 (run_scenario).
    if len(args.selected) * len(args.lag) > 126:
        parser.error("at most 126 runs (scenarios times lags)")
    args.linger = os.path.abspath(args.linger)
    if not os.access(args.linger, os.X_OK):
        parser.error(f"--linger {args.linger}: not an executable file")
    args.figure = os.path.abspath(args.figure)
    return args


def scenarios(args, wanted: set[int]) -> list[Scenario]:
    idle = ["--until-idle", for_linger(args.idle)]
    longest = for_linger(LONGEST)
    quit_after = ["exec-with-delay", "--signal", "QUIT", "--delay"]
    every = [Scenario(1, "app exits on SIGTERM", signal.SIGTERM),
             Scenario(2, "app drains at once (SIGQUIT, no delay)", signal.SIGQUIT)]
    every += [Scenario(3, f"preStop: linger sleep {for_linger(d)}, then SIGTERM", signal.SIGTERM,
                       hook=["sleep", for_linger(d)], delay=d) for d in args.delay]
    every += [Scenario(4, f"entrypoint: linger exec-with-delay --delay {for_linger(d)}",
                       signal.SIGTERM, wrapper=quit_after + [for_linger(d)], delay=d)
              for d in args.delay]
    every += [Scenario(5, f"preStop: linger sleep {longest} {' '.join(idle)}", signal.SIGTERM,
                       hook=["sleep", longest] + idle, until_idle=True),
              Scenario(6, f"entrypoint: exec-with-delay --delay {longest} {' '.join(idle)}",
                       signal.SIGTERM, wrapper=quit_after + [longest] + idle, until_idle=True)]
    # The load balancer learns only from health checks: of the app itself, which passes them
    # until it exits, or of linger's ready port, which fails them from the stop signal on.
    longest_fixed = for_linger(max(args.delay))
    ready = ["--ready-port", str(READY_PORT)]
    every += [Scenario(7, f"health-checked app: exec-with-delay --delay {longest_fixed}",
                       signal.SIGTERM, wrapper=quit_after + [longest_fixed], delay=max(args.delay),
                       checked_port=PORT),
              Scenario(8, f"health-checked --ready-port, --until-idle {for_linger(args.idle)}",
                       signal.SIGTERM, wrapper=quit_after + [longest] + idle + ready,
                       until_idle=True, checked_port=READY_PORT)]
    return [s for s in every if s.number in wanted]


def main() -> int:
    args = parse_args()
    # SIGTERM (a CI timeout) should clean up like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    private_network()
    started = time.monotonic()
    rows = []
    with tempfile.TemporaryDirectory(prefix="linger-demo-") as base:
        try:
            args.linger = install_linger(args.linger, os.path.join(base, "bin"))
        except (OSError, RuntimeError) as error:
            print(f"demo: {error}", file=sys.stderr)
            return 1
        runs = [(lag, scenario) for lag in args.lag for scenario in args.selected]
        for number, (lag, scenario) in enumerate(runs):
            workdir = os.path.join(base, f"run{number}")
            try:
                rows.append(run_scenario(scenario, lag, args, workdir, number))
            except (OSError, RuntimeError, subprocess.SubprocessError) as error:
                # A scenario that cannot be set up is one line, not a traceback.
                print(f"demo: lag {lag:g}s, scenario {scenario.number} ({scenario.title}): "
                      f"{error}", file=sys.stderr)
                return 1
    print_table(rows, args)
    os.makedirs(os.path.dirname(args.figure), exist_ok=True)
    write_figure(rows, args.figure)
    log(f"timeline figure: {args.figure}")
    problems = verdict(rows, args)
    elapsed = time.monotonic() - started
    if problems:
        for problem in problems:
            print(f"demo: FAILED: {problem}", file=sys.stderr)
        return 1
    print(f"demo: as expected ({elapsed:.0f}s): requests are lost without linger and with a "
          "delay shorter than the lag, none with --until-idle, which ends about "
          f"{args.idle:g}s after the deregistration")
    return 0


if __name__ == "__main__":
    sys.exit(main())
