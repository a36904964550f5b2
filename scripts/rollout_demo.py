#!/usr/bin/env python3
"""A rolling replacement behind a load balancer, four ways: without linger and with it.

Real parts on loopback ports: haproxy as the load balancer (no health checks, no retries, like a
cloud load balancer that keeps routing to a target until its deregistration has propagated),
nginx backends, and siege as the load. Two small actors play Kubernetes:

- the "controller" takes the old backend out of haproxy (state maint, through the admin socket)
  a lag after the stop begins: the endpoint/target deregistration delay;
- the "kubelet" stops the old backend: the preStop hook if there is one, then the stop signal,
  then SIGKILL when the grace period is over.

Each scenario is a rolling replacement: the new backend is up and in haproxy before the old one
is stopped. The table shows how many requests the load saw fail. Exits 1 when the rows no longer
show the point: scenario 3 or 4 lost a request, or scenario 1 or 2 lost none.
"""

import argparse
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
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class Scenario:
    number: int
    title: str
    stop_signal: signal.Signals
    pre_stop: bool = False  # a preStop hook `linger sleep DELAY` runs before the stop signal
    wrapped: bool = False  # linger exec-with-delay is the entrypoint, nginx its child
    expect_loss: bool = True


SCENARIOS = [
    Scenario(1, "app exits on SIGTERM", signal.SIGTERM),
    Scenario(2, "app drains at once (SIGQUIT, no delay)", signal.SIGQUIT),
    Scenario(3, "preStop: linger sleep, then SIGTERM", signal.SIGTERM, pre_stop=True,
             expect_loss=False),
    Scenario(4, "entrypoint: linger exec-with-delay --signal QUIT", signal.SIGTERM,
             wrapped=True, expect_loss=False),
]


@dataclass
class Row:
    scenario: Scenario
    requests: int = 0
    failed: int = 0
    exited_after: Optional[float] = None  # seconds from the start of the stop; None: not run
    note: str = ""

    def availability(self) -> str:
        if self.requests == 0:
            return "-"
        return f"{100.0 * (self.requests - self.failed) / self.requests:.2f}%"


def seconds(text: str) -> float:
    """A duration as linger spells the simple ones: 3, 1.5, 500ms, 3s, 1m."""
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m)?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"bad duration '{text}' (e.g. 3s, 500ms, 1.5)")
    value = float(match.group(1))
    return value * {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]


def for_linger(value: float) -> str:
    return f"{value:g}s"


def log(message: str) -> None:
    print(f"demo: {message}", file=sys.stderr, flush=True)


_ports_given: set[int] = set()


def free_port() -> int:
    # The kernel picks a free port; the tiny window before nginx binds it is fine on loopback. A
    # port that was closed again may come back: never hand out the same one twice in a run.
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_given:
            _ports_given.add(port)
            return port


def program(name: str) -> str:
    # nginx and haproxy live in /usr/sbin, which a non-root PATH may lack.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        sys.exit(f"demo: {name} not found (scripts/demo installs it)")
    return found


def poll(ready: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout:g}s")
        time.sleep(0.02)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
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


class Nginx:
    """One backend: an nginx with its own config, pid, log and temp paths in `workdir`."""

    def __init__(self, workdir: str, name: str) -> None:
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        self.port = free_port()
        self.conf = os.path.join(self.dir, "nginx.conf")
        d = self.dir
        with open(self.conf, "w") as f:
            f.write(f"""worker_processes 1;
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
    listen 127.0.0.1:{self.port};
    location / {{ return 200 "{name}\\n"; }}
  }}
}}
""")
        self.log = os.path.join(self.dir, "stderr.log")

    def argv(self) -> list[str]:
        return [program("nginx"), "-e", f"{self.dir}/error.log", "-p", self.dir, "-c", self.conf,
                "-g", "daemon off;"]


class Haproxy:
    """The load balancer: one frontend, servers `old` (in service) and `new` (not yet)."""

    def __init__(self, workdir: str, old: Nginx, new: Nginx) -> None:
        self.port = free_port()
        self.socket = os.path.join(workdir, "haproxy.sock")
        self.conf = os.path.join(workdir, "haproxy.cfg")
        self.log = os.path.join(workdir, "haproxy.log")
        # No `check` on the servers and `retries 0`: a request routed to a backend that is gone
        # fails, as it does at a cloud load balancer until deregistration has propagated.
        with open(self.conf, "w") as f:
            f.write(f"""global
  stats socket {self.socket} mode 600 level admin
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 0
frontend web
  bind 127.0.0.1:{self.port}
  default_backend app
backend app
  balance roundrobin
  server old 127.0.0.1:{old.port}
  server new 127.0.0.1:{new.port} disabled
""")

    def argv(self) -> list[str]:
        return [program("haproxy"), "-db", "-f", self.conf]

    def admin(self, command: str) -> None:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.socket)
            s.sendall(command.encode() + b"\n")
            reply = b""
            while chunk := s.recv(4096):
                reply += chunk
        if reply.strip():
            raise RuntimeError(f"haproxy '{command}': {reply.decode().strip()}")


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


def kubelet_stop(scenario: Scenario, old: subprocess.Popen, args, procs: Processes,
                 workdir: str) -> float:
    """Stops the old backend as the kubelet does; returns seconds until it exited."""
    start = time.monotonic()
    deadline = start + args.grace
    if scenario.pre_stop:
        # The hook runs to its end (or the grace period's) before the stop signal is sent.
        hook = procs.start([args.linger, "sleep", for_linger(args.delay)],
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


def has_command(linger: str, command: str) -> bool:
    probe = subprocess.run([linger, command, "--help"], capture_output=True, text=True)
    return not (probe.returncode == 2 and "unknown command" in probe.stderr)


def install_linger(linger: str, directory: str) -> str:
    """Puts linger where the backends run it from, as an initContainer does into an emptyDir."""
    os.makedirs(directory)
    done = subprocess.run([linger, "install", directory], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"linger install {directory}: {done.stderr.strip()}")
    installed = done.stdout.strip()
    log(f"linger install {directory}: {installed}")
    return installed


def run_scenario(scenario: Scenario, args, base: str) -> Row:
    row = Row(scenario)
    if scenario.wrapped and not has_command(args.linger, "exec-with-delay"):
        row.note = "cannot run: this linger has no exec-with-delay (unknown command)"
        return row
    workdir = os.path.join(base, f"scenario{scenario.number}")
    os.makedirs(workdir)
    procs = Processes()
    try:
        old, new = Nginx(workdir, "old"), Nginx(workdir, "new")
        old_argv = old.argv()
        if scenario.wrapped:
            old_argv = [args.linger, "exec-with-delay", "--delay", for_linger(args.delay),
                        "--signal", "QUIT", "--"] + old_argv
        old_proc = procs.start(old_argv, old.log)
        poll(lambda: answers(old.port), 10, "old backend")
        lb = Haproxy(workdir, old, new)
        procs.start(lb.argv(), lb.log)
        poll(lambda: answers(lb.port), 10, "haproxy")

        load = Siege(workdir, procs, f"http://127.0.0.1:{lb.port}/", args)
        load_start = time.monotonic()
        # Rolling replacement: the new backend serves and is in the load balancer first.
        procs.start(new.argv(), new.log)
        poll(lambda: answers(new.port), 10, "new backend")
        lb.admin("set server app/new state ready")
        time.sleep(max(0.0, load_start + args.warmup - time.monotonic()))

        log(f"scenario {scenario.number}: {scenario.title}: stopping the old backend")
        stop_start = time.monotonic()
        # The controller: deregistration takes effect `lag` after the stop began.
        controller_error = []

        def deregister() -> None:
            try:
                lb.admin("set server app/old state maint")
            except (OSError, RuntimeError) as error:
                controller_error.append(error)

        controller = threading.Timer(args.lag, deregister)
        controller.start()
        row.exited_after = kubelet_stop(scenario, old_proc, args, procs, workdir)
        controller.join()
        if controller_error:
            raise RuntimeError(f"controller: {controller_error[0]}")
        # Load goes on until the old backend is gone and deregistered, and then a little longer.
        end = max(load_start + args.duration,
                  stop_start + max(row.exited_after, args.lag) + args.tail)
        time.sleep(max(0.0, end - time.monotonic()))
        row.requests, row.failed = load.stop()
        for line in linger_lines(old.log, os.path.join(workdir, "prestop.log")):
            log(f"  {line}")
        return row
    finally:
        procs.kill_all()


def print_table(rows: list[Row], args) -> None:
    print(f"\nrolling replacement under load: deregistration lag {args.lag:g}s, "
          f"linger delay {args.delay:g}s, {args.concurrency} clients\n")
    header = f"{'#':>2}  {'scenario':<50} {'requests':>9} {'failed':>7} {'availability':>13} " \
             f"{'old backend exited after':>25}"
    print(header)
    print("-" * len(header))
    for row in rows:
        s = row.scenario
        if row.exited_after is None:
            print(f"{s.number:>2}  {s.title:<50} {row.note}")
            continue
        print(f"{s.number:>2}  {s.title:<50} {row.requests:>9} {row.failed:>7} "
              f"{row.availability():>13} {row.exited_after:>24.1f}s")
    print(flush=True)


def verdict(rows: list[Row]) -> list[str]:
    """What is wrong with the rows as a demonstration; empty when they show the point."""
    problems = []
    for row in rows:
        s = row.scenario
        if row.exited_after is None:
            problems.append(f"scenario {s.number} {row.note}")
        elif row.requests == 0:
            problems.append(f"scenario {s.number}: the load made no request")
        elif s.expect_loss and row.failed == 0:
            problems.append(f"scenario {s.number} lost no request: the lag no longer shows")
        elif not s.expect_loss and row.failed > 0:
            problems.append(f"scenario {s.number} lost {row.failed} requests")
    return problems


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description="Shows requests lost during a rolling replacement without linger, "
                    "and none with it. Durations D: 3, 1.5, 500ms, 3s, 1m.")
    parser.add_argument("--lag", metavar="D", type=seconds, default=3.0,
                        help="deregistration lag: from the stop until the load balancer stops "
                             "routing to the old backend (default 3s)")
    parser.add_argument("--delay", metavar="D", type=seconds, default=5.0,
                        help="how long linger keeps the old backend serving; must exceed the "
                             "lag (default 5s)")
    parser.add_argument("--grace", metavar="D", type=seconds, default=30.0,
                        help="terminationGracePeriodSeconds: SIGKILL after this (default 30s)")
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
    parser.add_argument("--scenarios", metavar="LIST", default="1,2,3,4",
                        help="which scenarios to run (default 1,2,3,4)")
    parser.add_argument("--linger", metavar="PATH", default="build/release/src/linger",
                        help="the linger binary (scripts/demo builds it when not given)")
    args = parser.parse_args()
    if args.delay <= args.lag:
        parser.error(f"--delay {args.delay:g}s must exceed --lag {args.lag:g}s, "
                     "or linger cannot cover the lag")
    try:
        wanted = {int(n) for n in args.scenarios.split(",")}
    except ValueError:
        parser.error(f"bad --scenarios '{args.scenarios}' (e.g. 1,3)")
    args.selected = [s for s in SCENARIOS if s.number in wanted]
    if not args.selected or len(args.selected) != len(wanted):
        parser.error(f"bad --scenarios '{args.scenarios}' (numbers 1 to 4)")
    args.linger = os.path.abspath(args.linger)
    if not os.access(args.linger, os.X_OK):
        parser.error(f"--linger {args.linger}: not an executable file")
    return args


def main() -> int:
    args = parse_args()
    # SIGTERM (a CI timeout) should clean up like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    rows = []
    with tempfile.TemporaryDirectory(prefix="linger-demo-") as base:
        args.linger = install_linger(args.linger, os.path.join(base, "bin"))
        for scenario in args.selected:
            rows.append(run_scenario(scenario, args, base))
    print_table(rows, args)
    problems = verdict(rows)
    elapsed = time.monotonic() - started
    if problems:
        for problem in problems:
            print(f"demo: FAILED: {problem}", file=sys.stderr)
        return 1
    print(f"demo: as expected ({elapsed:.0f}s): requests are lost without linger, "
          "none with it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
