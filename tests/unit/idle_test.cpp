#include "idle.h"

#include <functional>

#include "addresses.h"
#include "catch.h"
#include "socket_headers.h"

using linger::CountedConnection;
using linger::IdleWatch;
using linger::Look;
using linger::SteadyTime;
using std::chrono::milliseconds;
using std::chrono::seconds;
using test::Ip;

namespace {

const SteadyTime kStart = SteadyTime{} + std::chrono::hours(1);
constexpr linger::Duration kIdle = seconds(1);
const SteadyTime kEnd = kStart + seconds(10);

// What the world shows at a moment.
using World = std::function<Look(SteadyTime)>;

// Runs the decision as the commands do: look, stop when idle or over, else look again when told.
// Returns when it stopped and whether it was for idleness.
std::pair<SteadyTime, bool> Run(const World& world, IdleWatch watch = {kStart, kIdle, kEnd}) {
  SteadyTime now = kStart;
  for (int looks = 0; looks < 10'000; ++looks) {
    watch.Observe(world(now));
    if (watch.Idle(now)) return {now, true};
    if (watch.Over(now)) return {now, false};
    SteadyTime next = watch.NextLook(now);
    REQUIRE(next > now);
    REQUIRE(next - now <= linger::kLookInterval);
    now = next;
  }
  FAIL("the decision never ended");
  return {};
}

// A keep-alive connection that receives data every 100 ms from `from` until `until`.
Look Chatty(SteadyTime now, SteadyTime from, SteadyTime until, std::uint64_t opens = 9) {
  SteadyTime last = from;
  while (last + milliseconds(100) <= std::min(now, until)) last += milliseconds(100);
  return {now, {{1, now - last, true}}, false, {opens, 0}};
}

linger::Duration Ms(SteadyTime t) { return t - kStart; }

linger::TcpSocket Socket(std::uint8_t state, const char* local, int port, const char* remote,
                         std::uint32_t rqueue = 0) {
  linger::TcpSocket socket;
  socket.state = state;
  socket.local = Ip(local);
  socket.local_port = static_cast<std::uint16_t>(port);
  socket.remote = Ip(remote);
  socket.remote_port = 40000;
  socket.cookie = static_cast<std::uint64_t>(port) * 1000 + rqueue;
  socket.rqueue = rqueue;
  socket.last_data_recv_ms = 250;
  return socket;
}

}  // namespace

TEST_CASE("with no traffic the delay ends exactly D after it started") {
  auto [end, idle] = Run([](SteadyTime now) { return Look{now, {}, false, {5, 0}}; });
  CHECK(idle);
  CHECK(end == kStart + kIdle);
}

TEST_CASE("traffic until t0+2s ends the delay one window after it, within 300 ms") {
  auto [end, idle] =
      Run([](SteadyTime now) { return Chatty(now, kStart - seconds(5), kStart + seconds(2)); });
  CHECK(idle);
  CHECK(Ms(end) >= seconds(2) + kIdle);
  CHECK(Ms(end) <= seconds(2) + kIdle + milliseconds(300));
}

TEST_CASE("traffic that never stops holds the delay to its end") {
  auto [end, idle] =
      Run([](SteadyTime now) { return Chatty(now, kStart - seconds(5), kEnd + seconds(5)); });
  CHECK_FALSE(idle);
  CHECK(end == kEnd);
}

TEST_CASE("an open but silent connection does not hold the delay") {
  auto [end, idle] = Run([](SteadyTime now) {
    return Look{now, {{1, now - (kStart - seconds(30)), true}}, false, {5, 0}};
  });
  CHECK(idle);
  CHECK(end == kStart + kIdle);
}

TEST_CASE("data just before the delay started does not make it longer than D") {
  auto [end, idle] = Run([](SteadyTime now) {
    return Look{now, {{1, now - (kStart - milliseconds(500)), true}}, false, {5, 0}};
  });
  CHECK(idle);
  CHECK(end == kStart + kIdle);
}

TEST_CASE("a connection waiting to be accepted holds the delay") {
  auto [end, idle] = Run([](SteadyTime now) { return Look{now, {}, true, {5, 0}}; });
  CHECK_FALSE(idle);
  CHECK(end == kEnd);
}

TEST_CASE("short connections seen only through PassiveOpens hold it until one window after") {
  // One connection every 100 ms until t0+2s, each gone before the next look.
  auto [end, idle] = Run([](SteadyTime now) {
    auto opened = std::min(Ms(now), linger::Duration(seconds(2))) / milliseconds(100);
    return Look{now, {}, false, {1000 + static_cast<std::uint64_t>(opened), 0}};
  });
  CHECK(idle);
  CHECK(Ms(end) >= seconds(2) + kIdle);
  CHECK(Ms(end) <= seconds(2) + kIdle + milliseconds(300));
}

TEST_CASE("a connection that closes between looks counts at the look that misses it") {
  IdleWatch watch(kStart, kIdle, kEnd);
  watch.Observe({kStart, {{7, seconds(60), true}}, false, {5, 0}});
  CHECK(watch.Idle(kStart + kIdle));
  // Gone at the next look: it may have received its last bytes just before it closed.
  const SteadyTime next = kStart + milliseconds(250);
  watch.Observe({next, {}, false, {5, 0}});
  CHECK(watch.last_activity() == next);
  CHECK_FALSE(watch.Idle(kStart + kIdle));
  CHECK(watch.Idle(next + kIdle));

  // One whose peer had already sent its FIN could not receive anything more.
  IdleWatch closing(kStart, kIdle, kEnd);
  closing.Observe({kStart, {{7, seconds(60), false}}, false, {5, 0}});
  closing.Observe({next, {}, false, {5, 0}});
  CHECK(closing.Idle(kStart + kIdle));
}

TEST_CASE("a look that fails counts as traffic, and the kernel's tick is allowed for") {
  IdleWatch watch(kStart, kIdle, kEnd);
  watch.ObserveFailure(kStart + seconds(3));
  CHECK_FALSE(watch.Idle(kStart + seconds(3) + kIdle - milliseconds(1)));
  CHECK(watch.Idle(kStart + seconds(3) + kIdle));

  IdleWatch ticks(kStart, kIdle, kEnd);
  ticks.Observe({kStart + seconds(2), {{1, milliseconds(500), true}}, false, {5, 0}});
  CHECK(ticks.last_activity() == kStart + milliseconds(1510));
  // No connection without tcp_info goes unseen.
  ticks.Observe({kStart + seconds(3), {{2, std::nullopt, true}}, false, {5, 0}});
  CHECK(ticks.last_activity() == kStart + seconds(3));
}

TEST_CASE("the next look comes within the interval, and exactly when the delay could end") {
  IdleWatch watch(kStart, kIdle, kEnd);
  watch.Observe({kStart, {}, false, {5, 0}});
  CHECK(watch.NextLook(kStart) == kStart + linger::kLookInterval);
  CHECK(watch.NextLook(kStart + milliseconds(900)) == kStart + kIdle);
  CHECK(watch.NextLook(kEnd - milliseconds(10)) <= kEnd);
  IdleWatch longer(kStart, seconds(30), kEnd);  // D beyond the delay: the end bounds it
  CHECK(longer.NextLook(kEnd - milliseconds(10)) == kEnd);
  CHECK_FALSE(longer.Idle(kEnd));
  CHECK(longer.Over(kEnd));
}

TEST_CASE("what counts: serving ports, counted peers, serving listeners' queues") {
  const linger::IntList ports({{8080, 8080}, {8443, 8443}});
  auto ignore = linger::PeerList::Parse("10.0.0.0/24", "peer list");
  REQUIRE(ignore.ok());
  std::vector<linger::TcpSocket> sockets = {
      Socket(linger::kTcpListen, "0.0.0.0", 8080, "0.0.0.0", 0),
      Socket(linger::kTcpListen, "0.0.0.0", 9090, "0.0.0.0", 4),  // not serving
      Socket(linger::kTcpEstablished, "10.1.0.2", 8080, "10.1.0.9"),
      Socket(linger::kTcpCloseWait, "::ffff:10.1.0.2", 8443, "::ffff:10.1.0.8"),
      Socket(linger::kTcpEstablished, "10.1.0.2", 8080, "10.0.0.7"),                // ignored peer
      Socket(linger::kTcpEstablished, "::ffff:10.1.0.2", 8080, "::ffff:10.0.0.7"),  // mapped
      Socket(linger::kTcpEstablished, "10.1.0.2", 5432, "10.1.0.9"),                // another port
  };
  Look look = linger::Summarize(kStart, sockets, ports, *ignore, {77, 300});
  CHECK_FALSE(look.accept_queue_waiting);
  CHECK(look.counters == linger::TcpCounters{77, 300});
  REQUIRE(look.connections.size() == 2);
  CHECK(look.connections[0].since_data == milliseconds(250));
  CHECK(look.connections[0].peer_may_send);
  CHECK_FALSE(look.connections[1].peer_may_send);

  sockets.push_back(Socket(linger::kTcpListen, "::", 8443, "::", 1));
  CHECK(linger::Summarize(kStart, sockets, ports, *ignore, {77, 300}).accept_queue_waiting);
}

TEST_CASE("the default serving ports skip listeners bound only to loopback") {
  std::vector<linger::TcpSocket> sockets = {
      Socket(linger::kTcpListen, "0.0.0.0", 8080, "0.0.0.0"),
      Socket(linger::kTcpListen, "127.0.0.1", 15000, "0.0.0.0"),
      Socket(linger::kTcpListen, "::1", 15001, "::"),
      Socket(linger::kTcpListen, "127.0.0.1", 9000, "0.0.0.0"),
      Socket(linger::kTcpListen, "10.1.0.2", 9000, "0.0.0.0"),  // also beyond loopback
      Socket(linger::kTcpListen, "::", 8443, "::"),
      Socket(linger::kTcpListen, "::ffff:127.0.0.5", 7000, "::"),
      Socket(linger::kTcpEstablished, "10.1.0.2", 6000, "10.1.0.3"),
  };
  CHECK(linger::FormatPorts(linger::ListeningPorts(sockets)) == "8080,8443,9000");
  // linger's own ready port is never a serving port.
  CHECK(linger::FormatPorts(linger::ListeningPorts(sockets, 8443)) == "8080,9000");
  CHECK(linger::ListeningPorts({}).ranges().empty());
  CHECK(linger::FormatPorts(linger::IntList({{8000, 8010}, {9000, 9000}})) == "8000-8010,9000");
}

TEST_CASE("PassiveOpens and InSegs are read from /proc/net/snmp's Tcp lines") {
  const char* snmp =
      "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
      "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails InSegs\n"
      "Tcp: 1 200 120000 -1 10344 10330 1 987654\n"
      "Udp: InDatagrams NoPorts\nUdp: 5 6\n";
  CHECK(linger::ParseTcpCounters(snmp) == linger::TcpCounters{10330, 987654});
  for (const char* bad :
       {"", "Tcp: PassiveOpens InSegs\n", "Tcp: ActiveOpens\nTcp: 1\n",
        "Tcp: PassiveOpens InSegs\nTcp: -1 1\n", "Tcp: PassiveOpens InSegs\nTcp: 12x 1\n",
        "Tcp: A PassiveOpens InSegs\nTcp: 1 2\n", "Tcp: PassiveOpens\nTcp: 1\n"}) {
    INFO(bad);
    CHECK_FALSE(linger::ParseTcpCounters(bad).has_value());
  }
}

TEST_CASE("a look needs no dump while the counters stand still, unless the last one left doubt") {
  const linger::TcpCounters quiet{5, 100};
  IdleWatch watch(kStart, kIdle, kEnd);
  CHECK_FALSE(watch.Settled(quiet));  // no look yet
  watch.Observe({kStart, {{1, seconds(30), true}}, false, quiet});
  CHECK(watch.Settled(quiet));
  CHECK_FALSE(watch.Settled({5, 101}));  // a segment arrived: data, a FIN, an ACK
  CHECK_FALSE(watch.Settled({6, 100}));  // a connection was accepted
  // Something waiting to be accepted, a connection the kernel gave no age for, a failed look: each
  // must be looked at again, whatever the counters say.
  const SteadyTime next = kStart + milliseconds(250);
  watch.Observe({next, {}, true, quiet});
  CHECK_FALSE(watch.Settled(quiet));
  watch.Observe({next, {{2, std::nullopt, true}}, false, quiet});
  CHECK_FALSE(watch.Settled(quiet));
  watch.Observe({next, {{2, seconds(1), true}}, false, quiet});
  CHECK(watch.Settled(quiet));
  watch.ObserveFailure(next);
  CHECK_FALSE(watch.Settled(quiet));
}

TEST_CASE("only the families of the serving ports' listeners are dumped, both when unknown") {
  const linger::IntList ports({{8080, 8080}});
  using Families = std::vector<int>;
  CHECK(
      linger::ListeningFamilies(std::vector{Socket(linger::kTcpListen, "0.0.0.0", 8080, "0.0.0.0"),
                                            Socket(linger::kTcpListen, "::", 9090, "::")},
                                ports) == Families{AF_INET});
  CHECK(linger::ListeningFamilies(std::vector{Socket(linger::kTcpListen, "::", 8080, "::")},
                                  ports) == Families{AF_INET6});
  CHECK(linger::ListeningFamilies(
            std::vector{Socket(linger::kTcpEstablished, "10.0.0.1", 8080, "10.0.0.2")}, ports) ==
        Families{AF_INET, AF_INET6});
}

TEST_CASE("a request unread in a receive queue holds the delay, and is looked at again") {
  const linger::TcpCounters quiet{5, 100};
  IdleWatch watch(kStart, kIdle, kEnd);
  // Its bytes arrived long ago and no segment has come since: only the queue says it is unserved.
  CountedConnection waiting{1, seconds(30), true, true};
  for (SteadyTime now = kStart; now < kStart + seconds(3); now += milliseconds(250)) {
    CHECK_FALSE(watch.Settled(quiet));
    watch.Observe({now, {waiting}, false, quiet});
    CHECK_FALSE(watch.Idle(now));
  }
  // Read at last: idle one window after the last look that saw it unread.
  const SteadyTime read = kStart + seconds(3);
  waiting.unread = false;
  watch.Observe({read, {waiting}, false, quiet});
  CHECK(watch.Settled(quiet));
  CHECK(watch.last_activity() == read - milliseconds(250));
  CHECK(watch.Idle(read - milliseconds(250) + kIdle));
}

TEST_CASE("unread bytes count, a peer's FIN not yet read does not") {
  const linger::IntList ports({{8080, 8080}});
  const std::vector<linger::TcpSocket> sockets = {
      Socket(linger::kTcpEstablished, "10.1.0.2", 8080, "10.1.0.9", 0),
      Socket(linger::kTcpEstablished, "10.1.0.2", 8080, "10.1.0.9", 12),
      Socket(linger::kTcpCloseWait, "10.1.0.2", 8080, "10.1.0.9", 1),  // the FIN only
      Socket(linger::kTcpCloseWait, "10.1.0.2", 8080, "10.1.0.9", 2),  // a byte and the FIN
      Socket(linger::kTcpFinWait2, "10.1.0.2", 8080, "10.1.0.9", 1),   // no FIN from the peer yet
  };
  Look look = linger::Summarize(kStart, sockets, ports, {}, {1, 1});
  REQUIRE(look.connections.size() == 5);
  CHECK_FALSE(look.connections[0].unread);
  CHECK(look.connections[1].unread);
  CHECK_FALSE(look.connections[2].unread);
  CHECK(look.connections[3].unread);
  CHECK(look.connections[4].unread);
}

TEST_CASE("the named ports nobody listens on, on any address, range by range") {
  const linger::IntList ports({{8080, 8080}, {8081, 8081}, {9000, 9009}, {9100, 9109}});
  const std::vector<linger::TcpSocket> sockets = {
      Socket(linger::kTcpListen, "127.0.0.1", 8080, "0.0.0.0"),       // loopback counts when named
      Socket(linger::kTcpEstablished, "10.1.0.2", 8081, "10.1.0.9"),  // not a listener
      Socket(linger::kTcpListen, "::", 9005, "::"),
  };
  CHECK(linger::FormatPorts(linger::NotListening(sockets, ports)) == "8081,9100-9109");
  CHECK(linger::NotListening({}, ports).ranges() == ports.ranges());
}

TEST_CASE("a window of 0 is refused: it would end the delay at the first look") {
  linger::IdleOptions options;
  for (const char* zero : {"0", "0s", "0ms", "0.0"}) {
    INFO(zero);
    linger::Result<void> set = linger::SetUntilIdle(options, zero);
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().message == std::string("window '") + zero +
                                     "' must be above 0 (to keep the delay fixed, leave it unset)");
  }
  CHECK_FALSE(options.idle.has_value());
  CHECK(linger::SetUntilIdle(options, "1ns").ok());
  CHECK(options.idle == std::chrono::nanoseconds(1));
}
