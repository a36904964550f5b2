// --until-idle: from what the kernel shows of the serving ports' traffic, when a delay may end.
// Pure: the sockets, the counter and the clock are handed in, so tests use fake ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "duration.h"
#include "int_list.h"
#include "peers.h"
#include "sock_diag.h"

namespace linger {

using SteadyTime = std::chrono::steady_clock::time_point;

// What --until-idle, --ports and --ignore-from say.
struct IdleOptions {
  std::optional<Duration> idle;  // --until-idle D; none: the delay is fixed
  std::optional<IntList> ports;  // --ports; none: every listening port not bound only to loopback
  PeerList ignore_from;          // --ignore-from
};

// Setters for the rows of these options (idle_option_rows.h); the error names the value.
Result<void> SetUntilIdle(IdleOptions& options, std::string_view value);
Result<void> SetPorts(IdleOptions& options, std::string_view value);
Result<void> SetIgnoreFrom(IdleOptions& options, std::string_view value);

// How often linger looks while a delay runs, at the least.
inline constexpr Duration kLookInterval = std::chrono::milliseconds(250);

// A connection to a serving port from a counted peer, as one look saw it.
struct CountedConnection {
  std::uint64_t cookie = 0;  // the kernel's identity of the socket
  // How long ago it last received data; absent when the kernel did not say.
  std::optional<Duration> since_data;
  bool peer_may_send = true;  // false once the peer's FIN arrived: no data can follow
  // Bytes wait in its receive queue: a request the app has not read, so has not served yet.
  bool unread = false;
};

// The namespace's TCP counters (/proc/net/snmp) that a look compares with the previous one's.
struct TcpCounters {
  std::uint64_t passive_opens = 0;  // connections accepted
  std::uint64_t in_segs = 0;        // segments received, data or not
  bool operator==(const TcpCounters&) const = default;
};

// One look, reduced to what the decision needs.
struct Look {
  SteadyTime at;
  std::vector<CountedConnection> connections;
  bool accept_queue_waiting = false;  // a serving port's listener has a connection to accept
  TcpCounters counters;               // read before the sockets
};

// Picks out of `sockets` what counts: connections whose local port is in `ports` and whose peer is
// not in `ignore`, and the accept queues of the listeners on `ports`.
Look Summarize(SteadyTime at, std::span<const TcpSocket> sockets, const IntList& ports,
               const PeerList& ignore, TcpCounters counters);

// The serving ports when none are given: every port with a TCP listener on an address that is not
// loopback (a sidecar's admin port or a debug listener on 127.0.0.1 is not where traffic comes),
// but `own_port`, linger's own (0: none).
IntList ListeningPorts(std::span<const TcpSocket> sockets, int own_port = 0);

// The ranges of `ports` (as given) on which nothing listens, on any address: a port named by
// mistake, or a table a sandbox shows empty.
IntList NotListening(std::span<const TcpSocket> sockets, const IntList& ports);

// The address families worth a dump: those of the listeners on `ports`, since a connection has its
// listener's family (an IPv4 client of a dual-stack listener shows as IPv4-mapped IPv6). Both when
// no listener is found, so that nothing is missed. Every dump walks the kernel's whole connection
// table, so skipping a family halves the cost of a look.
std::vector<int> ListeningFamilies(std::span<const TcpSocket> sockets, const IntList& ports);

// "8080,8443" or "8000-8010".
std::string FormatPorts(const IntList& ports);

// The PassiveOpens and InSegs counters from a /proc/net/snmp text; nothing when they are not there.
std::optional<TcpCounters> ParseTcpCounters(std::string_view snmp);

// The decision, fed one look at a time. The delay may end at the first moment T, at least `idle`
// after `start`, at which no counted connection has received data during the `idle` before T and
// no connection waits to be accepted; never after `end`.
class IdleWatch {
 public:
  IdleWatch(SteadyTime start, Duration idle, SteadyTime end)
      : start_(start), idle_(idle), end_(end) {}

  // Takes one look. Whatever it cannot date exactly (a counter that moved, a connection that
  // closed since the last look, a connection without tcp_info) is dated at the look: later than it
  // happened, never earlier, so the delay can run long by one interval but never end early.
  void Observe(const Look& look);
  // A look that failed is no evidence of silence: it counts as activity at `at`.
  void ObserveFailure(SteadyTime at);
  // True when a look with these counters would teach nothing new, so the sockets need not be read:
  // the namespace has received no segment since the last look (no data, no new connection, no
  // close), which succeeded, had nothing waiting to be accepted or read, and could date every
  // connection. An app reading a request moves no counter, so unread bytes must be looked at again.
  // A dump walks the kernel's whole connection table; a quiet look costs one read of the counters.
  bool Settled(const TcpCounters& counters) const { return settled_ && counters == *counters_; }

  // True when the delay may end at `now`, given the looks so far (the latest taken at `now`).
  bool Idle(SteadyTime now) const;
  // True when the longest wait is over.
  bool Over(SteadyTime now) const { return now >= end_; }
  // When to look next: after at most kLookInterval, and exactly when the delay could end.
  SteadyTime NextLook(SteadyTime now) const;
  // The latest activity seen, if any.
  std::optional<SteadyTime> last_activity() const { return last_activity_; }

 private:
  void Saw(SteadyTime when);

  SteadyTime start_;
  Duration idle_;
  SteadyTime end_;
  std::optional<SteadyTime> last_activity_;
  std::optional<TcpCounters> counters_;  // the last look's
  bool settled_ = false;                 // see Settled()
  // The connections of the last look whose peer could still send, by cookie.
  std::vector<std::uint64_t> open_;
};

}  // namespace linger
