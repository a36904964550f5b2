// --until-idle against real traffic on loopback. Each test runs in a network namespace of its own:
// linger counts every connection the namespace accepts (PassiveOpens), so the machine's other
// traffic must not reach the delays measured here. Making a namespace needs root.
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>

#include "catch.h"
#include "process.h"

using namespace std::chrono_literals;
using test::CheckUsageError;
using test::Clock;
using test::Contains;
using test::Helper;
using test::kPrompt;
using test::Linger;
using test::Process;

// Upper bounds allow kPrompt on top of what linger promises: starting processes under ASan on a
// busy machine. Every maximum in these tests is above such a bound, so a delay that ran to its
// maximum instead of ending on idleness still fails. Lower bounds come from what the clients
// logged of their traffic, not from what they were asked to send: a client held up for a whole
// window on a busy machine leaves the ports as idle as one that stopped.

namespace {

// A network namespace with its loopback interface up, held open by a helper; In() runs a command
// inside it.
class Netns {
 public:
  Netns() : holder_({"/usr/bin/unshare", "--net", "--", Helper("tcp_traffic"), "netns"}) {
    ready_ = holder_.WaitForStdout("ready");
  }
  bool ready() const { return ready_; }
  std::vector<std::string> In(std::vector<std::string> argv) const {
    std::vector<std::string> full = {"/usr/bin/nsenter",
                                     "--net=/proc/" + std::to_string(holder_.pid()) + "/ns/net"};
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
  }

 private:
  Process holder_;
  bool ready_ = false;
};

// Starts tcp_traffic MODE in `ns` and waits until it says `ready`.
std::unique_ptr<Process> StartTraffic(const Netns& ns, const char* mode, const std::string& address,
                                      int port, std::vector<std::string> extra, const char* ready) {
  std::vector<std::string> argv = {Helper("tcp_traffic"), mode, address, std::to_string(port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto started = std::make_unique<Process>(ns.In(argv));
  REQUIRE(started->WaitForStdout(ready));
  return started;
}

// A tcp_traffic server in `ns`, listening.
std::unique_ptr<Process> Serve(const Netns& ns, const std::string& address, int port,
                               std::vector<std::string> extra = {}) {
  return StartTraffic(ns, "serve", address, port, std::move(extra), "port ");
}

// A tcp_traffic client in `ns`, connected.
std::unique_ptr<Process> Send(const Netns& ns, const std::string& address, int port,
                              std::vector<std::string> extra = {}) {
  return StartTraffic(ns, "send", address, port, std::move(extra), "connected");
}

// A connect or byte of a tcp_traffic client, which the server can have seen at any moment from
// `from` to `to`.
struct Traffic {
  Clock::time_point from, to;
};

// What `client` has logged so far ("traffic FROM TO", in nanoseconds of steady_clock's clock).
std::vector<Traffic> TrafficOf(const Process& client) {
  std::vector<Traffic> traffic;
  const std::string out = client.Stdout();
  size_t start = 0;
  for (size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    long long from = 0, to = 0;
    if (std::sscanf(out.c_str() + start, "traffic %lld %lld", &from, &to) == 2) {
      traffic.push_back({Clock::time_point(std::chrono::nanoseconds(from)),
                         Clock::time_point(std::chrono::nanoseconds(to))});
    }
  }
  return traffic;
}

// The earliest moment at which a delay that started after `start`, with window `window` and
// maximum `longest`, may end under `client`'s traffic: `window` into the first silence that may
// have lasted that long, from the start of one connect or byte to the end of the next (or to now),
// else `longest` after `start`. Called once linger is done, so that "now" is after its end.
Clock::time_point EarliestEnd(const Process& client, Clock::time_point start,
                              Clock::duration window, Clock::duration longest) {
  std::vector<Traffic> traffic = TrafficOf(client);
  const Clock::time_point now = Clock::now();
  traffic.push_back({now, now});
  Clock::time_point quiet_since = start;  // no silence counts from before the delay started
  for (const Traffic& t : traffic) {
    if (t.to < start) continue;
    if (t.to - quiet_since >= window) return std::min(quiet_since + window, start + longest);
    quiet_since = std::max(t.from, start);
  }
  return start + longest;
}

// When the last connect or byte that `client` has logged was over.
Clock::time_point LastTraffic(const Process& client) {
  std::vector<Traffic> traffic = TrafficOf(client);
  REQUIRE(!traffic.empty());
  return traffic.back().to;
}

// linger with `args` in `ns`; the time it took is measured from `since`.
struct Outcome {
  int status;
  std::string err;
  Clock::duration elapsed;
  Clock::time_point ended;
};
Outcome RunLinger(const Netns& ns, std::vector<std::string> args, Clock::time_point since,
                  const std::vector<std::string>& prefix = {}) {
  std::vector<std::string> argv = prefix;
  argv.push_back(Linger());
  argv.insert(argv.end(), args.begin(), args.end());
  Process linger(ns.In(argv));
  std::optional<int> status = linger.Wait(30s);
  const Clock::time_point ended = Clock::now();
  return {status.value_or(-1), linger.Stderr(), ended - since, ended};
}

#define REQUIRE_NETNS(ns)                                                        \
  if (!test::IsRoot()) LINGER_SKIP("a network namespace of its own needs root"); \
  Netns ns;                                                                      \
  REQUIRE(ns.ready())

}  // namespace

TEST_CASE("until-idle: traffic until t0+2s ends sleep one window after it, within 300 ms") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  auto t0 = Clock::now();
  auto client = Send(ns, "127.0.0.1", 8080, {"--every", "100", "--for", "2000"});
  auto r = RunLinger(ns, {"sleep", "10s", "--until-idle", "1s", "--ports", "8080"}, t0);
  CHECK(r.status == 0);
  REQUIRE(client->WaitForStdout("quiet"));
  // The end comes D after the last byte, plus at most 300 ms (and the slack of a busy machine).
  CHECK(r.ended >= EarliestEnd(*client, t0, 1s, 10s));
  CHECK(r.ended <= LastTraffic(*client) + 1s + 300ms + kPrompt);
  CHECK(
      Contains(r.err, "linger: sleeping up to 10s while ports 8080 are busy (until idle for 1s)"));
  CHECK(Contains(r.err, "linger: ports idle for 1s after "));
}

TEST_CASE("until-idle: with no traffic the delay is D, with endless traffic the maximum") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  auto t0 = Clock::now();
  auto quiet = RunLinger(ns, {"sleep", "10s", "--until-idle", "500ms", "--ports", "8080"}, t0);
  CHECK(quiet.status == 0);
  CHECK(quiet.elapsed >= 500ms);
  CHECK(quiet.elapsed <= 500ms + kPrompt);

  auto client = Send(ns, "127.0.0.1", 8080, {"--every", "100"});
  auto t1 = Clock::now();
  auto busy = RunLinger(ns, {"sleep", "2s", "--until-idle", "500ms", "--ports", "8080"}, t1);
  CHECK(busy.status == 0);
  const Clock::time_point earliest = EarliestEnd(*client, t1, 500ms, 2s);
  CHECK(busy.ended >= earliest);
  CHECK(busy.elapsed <= 2s + kPrompt);
  if (earliest == t1 + 2s) {  // the client was never held up for a window
    CHECK(Contains(busy.err, "linger: delay of 2s over, ports still busy (last data "));
  }
}

TEST_CASE("until-idle: an open silent connection does not hold, a waiting one in the queue does") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  auto keep_alive = Send(ns, "127.0.0.1", 8080, {"--for", "0"});
  auto t0 = Clock::now();
  auto r = RunLinger(ns, {"sleep", "10s", "--until-idle", "500ms", "--ports", "8080"}, t0);
  CHECK(r.elapsed >= 500ms);
  CHECK(r.elapsed <= 500ms + kPrompt);

  auto stuck = Serve(ns, "127.0.0.1", 8081, {"--no-accept"});
  auto waiting = Send(ns, "127.0.0.1", 8081, {"--for", "0"});
  auto t1 = Clock::now();
  auto held = RunLinger(ns, {"sleep", "2s", "--until-idle", "500ms", "--ports", "8081"}, t1);
  CHECK(held.elapsed >= 2s);
  CHECK(Contains(held.err, "ports still busy"));
}

TEST_CASE("until-idle: short connections hold the delay until one window after the last") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  auto t0 = Clock::now();
  auto client = Send(ns, "127.0.0.1", 8080, {"--short", "--every", "100", "--for", "2000"});
  auto r = RunLinger(ns, {"sleep", "10s", "--until-idle", "1s", "--ports", "8080"}, t0);
  CHECK(r.status == 0);
  REQUIRE(client->WaitForStdout("quiet"));
  CHECK(r.ended >= EarliestEnd(*client, t0, 1s, 10s));
  CHECK(r.ended <= LastTraffic(*client) + 1s + 300ms + kPrompt);
}

TEST_CASE(
    "until-idle: --ports limits what counts, by default loopback-only listeners are skipped") {
  REQUIRE_NETNS(ns);
  auto serving = Serve(ns, "0.0.0.0", 8080);
  auto admin = Serve(ns, "127.0.0.1", 9901);
  auto elsewhere = Send(ns, "127.0.0.1", 9901, {"--every", "100"});
  auto t0 = Clock::now();
  auto given = RunLinger(ns, {"sleep", "10s", "--until-idle", "500ms", "--ports", "8080"}, t0);
  CHECK(given.elapsed <= 500ms + kPrompt);
  CHECK(Contains(given.err, "ports idle for 500ms"));
  auto t1 = Clock::now();
  auto found = RunLinger(ns, {"sleep", "10s", "--until-idle", "500ms"}, t1);
  CHECK(Contains(found.err, "while ports 8080 are busy"));
  // The admin port's connection is not counted, but its traffic is not what holds: only short
  // connections move PassiveOpens, and this one was opened before linger started.
  CHECK(found.elapsed <= 500ms + kPrompt);

  auto t2 = Clock::now();
  auto client = Send(ns, "127.0.0.1", 8080, {"--every", "100", "--for", "1500"});
  auto held = RunLinger(ns, {"sleep", "10s", "--until-idle", "500ms"}, t2);
  REQUIRE(client->WaitForStdout("quiet"));
  CHECK(held.ended >= EarliestEnd(*client, t2, 500ms, 10s));
}

TEST_CASE("until-idle: IPv6 connections count") {
  REQUIRE_NETNS(ns);
  if (!std::filesystem::exists("/proc/net/if_inet6")) LINGER_SKIP("IPv6 is disabled");
  auto server = Serve(ns, "::1", 8080);
  auto t0 = Clock::now();
  auto client = Send(ns, "::1", 8080, {"--every", "100", "--for", "1500"});
  auto r = RunLinger(ns, {"sleep", "10s", "--until-idle", "500ms", "--ports", "8080"}, t0);
  REQUIRE(client->WaitForStdout("quiet"));
  CHECK(r.ended >= EarliestEnd(*client, t0, 500ms, 10s));
  CHECK(r.ended <= LastTraffic(*client) + 500ms + 300ms + kPrompt);
}

TEST_CASE("until-idle: --ignore-from leaves out the listed peers, addresses and CIDRs") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  auto probe = Send(ns, "127.0.0.1", 8080, {"--from", "127.0.0.2", "--every", "100"});
  for (const char* ignored : {"127.0.0.2", "10.0.0.0/8,127.0.0.2/31"}) {
    INFO(ignored);
    auto t0 = Clock::now();
    auto r = RunLinger(
        ns, {"sleep", "10s", "--until-idle", "500ms", "--ports", "8080", "--ignore-from", ignored},
        t0);
    CHECK(r.status == 0);
    CHECK(r.elapsed <= 500ms + kPrompt);
    CHECK(Contains(r.err, "ports idle for 500ms"));
  }
  auto other = Send(ns, "127.0.0.1", 8080, {"--from", "127.0.0.3", "--every", "100"});
  auto t1 = Clock::now();
  auto held = RunLinger(
      ns, {"sleep", "2s", "--until-idle", "500ms", "--ports", "8080", "--ignore-from", "127.0.0.2"},
      t1);
  CHECK(held.ended >= EarliestEnd(*other, t1, 500ms, 2s));
}

TEST_CASE("until-idle: --ports naming only ports nobody listens on waits the full delay") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  auto client = Send(ns, "127.0.0.1", 8080, {"--every", "100"});
  auto t0 = Clock::now();
  auto typo = RunLinger(ns, {"sleep", "2s", "--until-idle", "500ms", "--ports", "8081"}, t0);
  CHECK(typo.status == 0);
  CHECK(typo.elapsed >= 2s);
  CHECK(Contains(typo.err,
                 "linger: cannot watch the traffic (port 8081 is not listening), waiting "
                 "the full 2s"));

  // One of them listens: the other gets a line, and the traffic on the first holds the delay.
  auto t1 = Clock::now();
  auto some =
      RunLinger(ns, {"sleep", "2s", "--until-idle", "500ms", "--ports", "8080,9000-9009"}, t1);
  CHECK(some.status == 0);
  const Clock::time_point earliest = EarliestEnd(*client, t1, 500ms, 2s);
  CHECK(some.ended >= earliest);
  CHECK(Contains(some.err, "linger: warning: ports 9000-9009 are not listening"));
  if (earliest == t1 + 2s) CHECK(Contains(some.err, "ports still busy"));
}

TEST_CASE("until-idle: a request unread in a connection's receive queue holds the delay") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080, {"--no-read"});
  // A closed connection whose FIN the app has not read yet holds nothing: no request is in it.
  {
    auto closed = Send(ns, "127.0.0.1", 8080, {"--for", "0"});
    closed->Signal(SIGKILL);
    REQUIRE(closed->Wait(10s).has_value());
  }
  auto t0 = Clock::now();
  auto quiet = RunLinger(ns, {"sleep", "10s", "--until-idle", "500ms", "--ports", "8080"}, t0);
  CHECK(quiet.status == 0);
  CHECK(quiet.elapsed <= 500ms + kPrompt);
  CHECK(Contains(quiet.err, "ports idle for 500ms"));

  auto request = Send(ns, "127.0.0.1", 8080, {"--once"});
  REQUIRE(request->WaitForStdout("quiet"));
  auto t1 = Clock::now();
  auto held = RunLinger(ns, {"sleep", "2s", "--until-idle", "500ms", "--ports", "8080"}, t1);
  CHECK(held.status == 0);
  CHECK(held.elapsed >= 2s);
  CHECK(Contains(held.err, "ports still busy"));
}

TEST_CASE("until-idle: works as uid 65532 with no capabilities, and as PID 1") {
  REQUIRE_NETNS(ns);
  // linger from a directory every user may enter, since the build tree may not be.
  test::TempDir bin;
  const std::string linger = bin.path() + "/linger";
  std::filesystem::copy_file(Linger(), linger);
  std::filesystem::permissions(bin.path(), std::filesystem::perms(0755));
  std::filesystem::permissions(linger, std::filesystem::perms(0755));
  auto server = Serve(ns, "127.0.0.1", 8080);
  const std::vector<std::vector<std::string>> ways = {
      {"/usr/bin/setpriv", "--reuid=65532", "--regid=65532", "--clear-groups", "--inh-caps=-all",
       "--bounding-set=-all", "--"},
      {"/usr/bin/unshare", "--pid", "--fork", "--mount-proc"}};
  for (const auto& way : ways) {
    INFO(way[0]);
    auto t0 = Clock::now();
    auto client = Send(ns, "127.0.0.1", 8080, {"--every", "100", "--for", "1500"});
    std::vector<std::string> argv = way;
    argv.insert(argv.end(), {linger, "sleep", "10s", "--until-idle", "500ms", "--ports", "8080"});
    Process p(ns.In(argv));
    CHECK(p.Wait(20s) == 0);
    const Clock::time_point ended = Clock::now();
    REQUIRE(client->WaitForStdout("quiet"));
    CHECK(ended >= EarliestEnd(*client, t0, 500ms, 10s));
    CHECK(ended <= LastTraffic(*client) + 500ms + 300ms + kPrompt);
    CHECK(Contains(p.Stderr(), "ports idle for 500ms"));
  }
}

TEST_CASE("until-idle: with no serving port linger says so and waits the full delay") {
  if (!test::IsRoot()) LINGER_SKIP("a network namespace of its own needs root");
  auto t0 = Clock::now();
  auto r = test::Run(
      {"/usr/bin/unshare", "--net", "--", Linger(), "sleep", "1500ms", "--until-idle", "200ms"});
  CHECK(r.status == 0);
  CHECK(Clock::now() - t0 >= 1500ms);
  CHECK(Contains(r.err, "no TCP port is listening beyond loopback"));
  CHECK(Contains(r.err, "waiting the full 1.5s"));
}

TEST_CASE("until-idle in exec-with-delay: COMMAND gets its signal one window after the traffic") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  Process p(ns.In({Linger(), "exec-with-delay", "--delay", "10s", "--until-idle", "1s", "--ports",
                   "8080", "--", Helper("signal_logger"), "15"}));
  REQUIRE(p.WaitForStdout("ready"));
  auto t0 = Clock::now();
  auto client = Send(ns, "127.0.0.1", 8080, {"--every", "100", "--for", "1000"});
  p.Signal(SIGTERM);
  REQUIRE(p.WaitForStderr(
      "SIGTERM received, delaying it up to 10s while ports 8080 are busy (until idle for 1s)"));
  CHECK(p.Wait(20s) == 143);
  const Clock::time_point ended = Clock::now();
  REQUIRE(client->WaitForStdout("quiet"));
  CHECK(ended >= EarliestEnd(*client, t0, 1s, 10s));
  CHECK(ended <= LastTraffic(*client) + 1s + 300ms + kPrompt);
  CHECK(Contains(p.Stderr(), "ports idle for 1s after "));
}

// A load balancer's health checks, one connection each, every 100 ms: prints each status.
constexpr const char* kHealthChecks = R"(
import socket, sys, time
while True:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: pod\r\n\r\n")
        response = b""
        while chunk := s.recv(4096):
            response += chunk
        s.close()
        print(response.split(b" ")[1].decode(), flush=True)
    except (OSError, IndexError) as e:
        print("error", e, flush=True)
    time.sleep(0.1)
)";

TEST_CASE("until-idle with a ready port: its health checks are not traffic, its port not served") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "0.0.0.0", 8080);
  Process p(ns.In({Linger(), "exec-with-delay", "--delay", "10s", "--until-idle", "1s",
                   "--ready-port", "8081", "--", Helper("signal_logger"), "15"}));
  REQUIRE(p.WaitForStdout("ready"));
  Process checks(ns.In({"/usr/bin/python3", "-c", kHealthChecks, "8081"}));
  REQUIRE(checks.WaitForStdout("200\n"));
  auto t0 = Clock::now();
  p.Signal(SIGTERM);
  REQUIRE(p.WaitForStderr(
      "while ports 8080 are busy (until idle for 1s); ready port 8081 answers 503 from now on"));
  CHECK(p.Wait(20s) == 143);
  // Ten checks a second, and still the delay ends one window after the app's last traffic.
  CHECK(Clock::now() - t0 >= 1s);
  CHECK(Clock::now() - t0 <= 1s + 300ms + kPrompt);
  CHECK(Contains(p.Stderr(), "ports idle for 1s after "));
  CHECK(Contains(checks.Stdout(), "503\n"));
}

TEST_CASE("until-idle in exec-with-delay: a second SIGTERM ends it, COMMAND's exit ends linger") {
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  auto client = Send(ns, "127.0.0.1", 8080, {"--every", "100"});
  test::StartOptions env;
  env.env = {"LINGER_DELAY=30s"};
  Process twice(ns.In({Linger(), "exec-with-delay", "--until-idle", "1s", "--ports", "8080", "--",
                       Helper("signal_logger"), "15"}),
                env);
  REQUIRE(twice.WaitForStdout("ready"));
  twice.Signal(SIGTERM);
  REQUIRE(twice.WaitForStderr("up to 30s while ports 8080 are busy"));
  auto t0 = Clock::now();
  twice.Signal(SIGTERM);
  CHECK(twice.Wait(10s) == 143);
  CHECK(Clock::now() - t0 < kPrompt);

  // signal_logger dies of the SIGUSR1 that linger forwards during the delay.
  Process exits(ns.In({Linger(), "exec-with-delay", "--delay", "30s", "--until-idle", "1s",
                       "--ports", "8080", "--", Helper("signal_logger"), std::to_string(SIGUSR1)}));
  REQUIRE(exits.WaitForStdout("ready"));
  exits.Signal(SIGTERM);
  REQUIRE(exits.WaitForStderr("while ports 8080 are busy"));
  auto t1 = Clock::now();
  exits.Signal(SIGUSR1);
  CHECK(exits.Wait(10s) == 128 + SIGUSR1);
  CHECK(Clock::now() - t1 < kPrompt);
}

namespace {

// exec-with-delay around signal_logger, in its delay (SIGTERM held back), with `args` in between.
std::unique_ptr<Process> Delaying(const Netns& ns, std::vector<std::string> args) {
  std::vector<std::string> argv = {Linger(), "exec-with-delay", "--delay", "60s"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--", Helper("signal_logger"), "15"});
  auto p = std::make_unique<Process>(ns.In(argv));
  REQUIRE(p->WaitForStdout("ready"));
  p->Signal(SIGTERM);
  REQUIRE(p->WaitForStderr("SIGTERM received, delaying it", 20s));
  return p;
}

// Sends SIGUSR1 to `p` and returns how long signal_logger took to get it: from kill() to its
// sigwaitinfo, both on CLOCK_MONOTONIC. `sent` counts the signals sent to it so far.
Clock::duration ForwardingLatency(const Process& p, int& sent) {
  const auto at = Clock::now();
  REQUIRE(p.Signal(SIGUSR1));
  ++sent;
  std::string line;
  REQUIRE(test::Eventually([&] {
    const std::string out = p.Stdout();
    if (test::LineCount(out) < static_cast<size_t>(sent) + 1) return false;  // "ready" first
    line = out.substr(out.rfind('\n', out.size() - 2) + 1);
    return true;
  }));
  long long pid = 0, sig = 0, received = 0;
  REQUIRE(std::sscanf(line.c_str(), "%lld %lld %lld", &pid, &sig, &received) == 3);
  REQUIRE(sig == SIGUSR1);
  return Clock::time_point(std::chrono::nanoseconds(received)) - at;
}

}  // namespace

TEST_CASE("until-idle: a look at ten thousand connections does not hold up forwarding a signal") {
#ifdef LINGER_TESTS_SANITIZED
  LINGER_SKIP(
      "forwarding during looks is timed on the release build: ASan multiplies the CPU time");
#endif
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  Process idle(ns.In({Helper("tcp_traffic"), "hold", "127.0.0.1", "8080", "10000"}));
  REQUIRE(idle.WaitForStdout("connected", 60s));
  // A byte every 20 ms: every look (one each 250 ms) dumps the whole table. The kernel runs the
  // port filter on each of the 20,000 sockets, and 1,000 port ranges make that slow: a look then
  // takes it tens of milliseconds even on an idle machine.
  auto client = Send(ns, "127.0.0.1", 8080, {"--every", "20"});
  std::string ports = "8080";
  for (int port = 20001; port < 22000; port += 2) ports += "," + std::to_string(port);
  // The same delay twice, watching and not: samples to each, taken in turns at random moments,
  // see the same machine, so what a busy machine adds on its own shows in both.
  auto watching = Delaying(ns, {"--until-idle", "30s", "--ports", ports});
  auto fixed = Delaying(ns, {});
  constexpr int kSamples = 400;
  int sent_watching = 0, sent_fixed = 0;
  std::vector<Clock::duration> with_looks, without;
  std::srand(21);
  for (int i = 0; i < kSamples; ++i) {
    for (bool looks : {true, false}) {
      timespec pause{0, std::rand() % 5'000'000};
      nanosleep(&pause, nullptr);
      if (looks) {
        with_looks.push_back(ForwardingLatency(*watching, sent_watching));
      } else {
        without.push_back(ForwardingLatency(*fixed, sent_fixed));
      }
    }
  }
  for (const auto& p : {watching.get(), fixed.get()}) {
    p->Signal(SIGTERM);
    CHECK(p->Wait(20s) == 143);
  }
  auto slow = [](std::vector<Clock::duration>& samples) {
    std::sort(samples.begin(), samples.end());
    return std::count_if(samples.begin(), samples.end(), [](Clock::duration d) { return d > 2ms; });
  };
  const auto slow_with = slow(with_looks);
  const auto slow_without = slow(without);
  INFO("over 20 ms: " << slow_with << " of " << kSamples << " during looks, " << slow_without
                      << " without; p99 " << with_looks[kSamples * 99 / 100] / 1us << " us and "
                      << without[kSamples * 99 / 100] / 1us << " us");
  // A look that ran to its end before forwarding held every sample that fell into it for the rest
  // of the look, milliseconds; read a datagram at a time, it holds one up for a fraction of one.
  // The margin is for a machine busy with other work: the looks that ran to their end were over
  // it by far (195 and 93 slow samples against 56 and 19 without).
  CHECK(slow_with <= 3 * slow_without + kSamples * 5 / 100);
}

TEST_CASE("until-idle: a delay watching 1000 idle connections costs under 2% of one core") {
#ifdef LINGER_TESTS_SANITIZED
  LINGER_SKIP("the CPU cost is checked on the release build: ASan multiplies it");
#endif
  REQUIRE_NETNS(ns);
  auto server = Serve(ns, "127.0.0.1", 8080);
  Process idle(ns.In({Helper("tcp_traffic"), "hold", "127.0.0.1", "8080", "1000"}));
  REQUIRE(idle.WaitForStdout("connected"));
  // linger is the only child reaped in between, so the children's CPU time grows by its own.
  rusage before{}, after{};
  REQUIRE(getrusage(RUSAGE_CHILDREN, &before) == 0);
  auto t0 = Clock::now();
  auto r = RunLinger(ns, {"sleep", "4s", "--until-idle", "4s", "--ports", "8080"}, t0);
  REQUIRE(getrusage(RUSAGE_CHILDREN, &after) == 0);
  CHECK(r.status == 0);
  CHECK(r.elapsed >= 4s);
  auto micros = [](const rusage& u) {
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000LL + u.ru_utime.tv_usec +
           u.ru_stime.tv_usec;
  };
  const long long cpu = micros(after) - micros(before);
  const long long wall = std::chrono::duration_cast<std::chrono::microseconds>(r.elapsed).count();
  INFO("linger used " << cpu << " us of CPU in " << wall << " us");
  CHECK(cpu * 50 < wall);
}

namespace {

// A command line or environment that must be refused with status 2 in one line that names
// `named`, followed by `says`.
struct UsageCase {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string named;
};

void CheckUsageErrors(std::span<const UsageCase> cases, const std::string& says) {
  for (const UsageCase& c : cases) {
    std::vector<std::string> argv = {Linger()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    test::StartOptions options;
    options.env = c.env;
    CheckUsageError(test::Run(argv, 10s, options), c.named + says);
  }
}

}  // namespace

TEST_CASE("until-idle: a window of 0 is a usage error, never a delay that ends under traffic") {
  const UsageCase cases[] = {
      {{"sleep", "1s", "--until-idle", "0"}, {}, "--until-idle"},
      {{"sleep", "1s", "--until-idle=0ms", "--ports", "8080"}, {}, "--until-idle"},
      {{"exec-with-delay", "/bin/true"}, {"LINGER_UNTIL_IDLE=0s"}, "LINGER_UNTIL_IDLE"},
  };
  CheckUsageErrors(cases, ": window '0");
  CHECK(Contains(test::Run({Linger(), "sleep", "1s", "--until-idle", "0"}).err,
                 "window '0' must be above 0"));
}

TEST_CASE("until-idle: bad values exit 2 naming the option or the variable") {
  const UsageCase cases[] = {
      {{"sleep", "1s", "--until-idle", "soon"}, {}, "--until-idle"},
      {{"sleep", "1s", "--until-idle", "1s", "--ports", "0"}, {}, "--ports"},
      {{"sleep", "1s", "--until-idle", "1s", "--ports", "http"}, {}, "--ports"},
      {{"sleep", "1s", "--until-idle", "1s", "--ignore-from", "10.0.0.1/24"}, {}, "--ignore-from"},
      {{"exec-with-delay", "/bin/true"}, {"LINGER_UNTIL_IDLE=-1s"}, "LINGER_UNTIL_IDLE"},
      {{"exec-with-delay", "/bin/true"}, {"LINGER_PORTS=80,,81"}, "LINGER_PORTS"},
      {{"exec-with-delay", "/bin/true"}, {"LINGER_IGNORE_FROM=node"}, "LINGER_IGNORE_FROM"},
  };
  CheckUsageErrors(cases, "");
}
