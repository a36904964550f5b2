#include "idle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "net/ip_address.h"
#include "socket_headers.h"
#include "text.h"

namespace linger {
namespace {

// The coarsest clock tick of the kernel's TCP timestamps (HZ=100).
constexpr Duration kTick = std::chrono::milliseconds(10);

bool IsLoopback(const IpAddress& address) {
  const IpAddress plain = Unmapped(address);
  if (plain.family == AF_INET) return plain.bytes[0] == 127;
  static const IpAddress kIpv6Loopback = *ParseIpAddress("::1");
  return plain == kIpv6Loopback;
}

// True in the states in which the peer has not sent its FIN yet, so data may still come.
bool PeerMaySend(std::uint8_t state) {
  return state == kTcpEstablished || state == kTcpSynRecv || state == kTcpFinWait1 ||
         state == kTcpFinWait2;
}

}  // namespace

Result<void> SetUntilIdle(IdleOptions& options, std::string_view value) {
  Result<Duration> d = ParseDuration(value);
  if (!d.ok()) return d.error();
  // A window of 0 would call the ports idle at the first look, traffic or not. Someone who writes
  // 0 to mean "off" must learn at start, not find the delay gone at the next rollout.
  if (*d == Duration::zero()) {
    return Error::Invalid(fmt::format(
        "window '{}' must be above 0 (to keep the delay fixed, leave it unset)", Printable(value)));
  }
  options.idle = *d;
  return {};
}

Result<void> SetPorts(IdleOptions& options, std::string_view value) {
  Result<IntList> ports = IntList::Parse(value, 1, 65535, "port list");
  if (!ports.ok()) return ports.error();
  options.ports = *ports;
  return {};
}

Result<void> SetIgnoreFrom(IdleOptions& options, std::string_view value) {
  Result<PeerList> peers = PeerList::Parse(value, "address list");
  if (!peers.ok()) return peers.error();
  options.ignore_from = *peers;
  return {};
}

Look Summarize(SteadyTime at, std::span<const TcpSocket> sockets, const IntList& ports,
               const PeerList& ignore, TcpCounters counters) {
  Look look{at, {}, false, counters};
  look.connections.reserve(sockets.size());
  for (const TcpSocket& socket : sockets) {
    if (!ports.Contains(socket.local_port)) continue;
    if (socket.state == kTcpListen) {
      // On a listener, the receive queue is the accept queue (inet_diag_get_info's rqueue).
      if (socket.rqueue > 0) look.accept_queue_waiting = true;
      continue;
    }
    if (ignore.Contains(socket.remote)) continue;
    CountedConnection connection{socket.cookie, std::nullopt, PeerMaySend(socket.state)};
    // Once the peer's FIN has arrived it counts in the queue as one byte until the app reads it.
    connection.unread = socket.rqueue > (connection.peer_may_send ? 0u : 1u);
    if (socket.last_data_recv_ms) {
      connection.since_data = std::chrono::milliseconds(*socket.last_data_recv_ms);
    }
    look.connections.push_back(connection);
  }
  return look;
}

IntList ListeningPorts(std::span<const TcpSocket> sockets, int own_port) {
  std::vector<int> ports;
  for (const TcpSocket& socket : sockets) {
    if (socket.state == kTcpListen && !IsLoopback(socket.local) && socket.local_port != own_port) {
      ports.push_back(socket.local_port);
    }
  }
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  std::vector<std::pair<int, int>> ranges;
  for (int port : ports) ranges.emplace_back(port, port);
  return IntList(std::move(ranges));
}

IntList NotListening(std::span<const TcpSocket> sockets, const IntList& ports) {
  std::vector<std::pair<int, int>> silent;
  for (const std::pair<int, int>& range : ports.ranges()) {
    const bool heard = std::any_of(sockets.begin(), sockets.end(), [&](const TcpSocket& socket) {
      return socket.state == kTcpListen && socket.local_port >= range.first &&
             socket.local_port <= range.second;
    });
    if (!heard) silent.push_back(range);
  }
  return IntList(std::move(silent));
}

std::vector<int> ListeningFamilies(std::span<const TcpSocket> sockets, const IntList& ports) {
  std::vector<int> families;
  for (int family : {AF_INET, AF_INET6}) {
    for (const TcpSocket& socket : sockets) {
      if (socket.state == kTcpListen && socket.local.family == family &&
          ports.Contains(socket.local_port)) {
        families.push_back(family);
        break;
      }
    }
  }
  if (families.empty()) families = {AF_INET, AF_INET6};
  return families;
}

std::string FormatPorts(const IntList& ports) {
  std::string text;
  for (auto [low, high] : ports.ranges()) {
    if (!text.empty()) text += ',';
    text += low == high ? fmt::format("{}", low) : fmt::format("{}-{}", low, high);
  }
  return text;
}

std::optional<TcpCounters> ParseTcpCounters(std::string_view snmp) {
  // Each protocol has two lines that start "Tcp:": the names, then the values in the same order.
  std::vector<std::string_view> names;
  while (!snmp.empty()) {
    const size_t end = std::min(snmp.find('\n'), snmp.size());
    std::string_view line = snmp.substr(0, end);
    snmp.remove_prefix(std::min(end + 1, snmp.size()));
    if (line.substr(0, 4) != "Tcp:") continue;
    if (names.empty()) {
      names = Split(line, ' ');
      continue;
    }
    std::vector<std::string_view> values = Split(line, ' ');
    auto value = [&](std::string_view name) -> std::optional<std::uint64_t> {
      auto column = std::find(names.begin(), names.end(), name);
      const auto index = static_cast<size_t>(column - names.begin());
      if (column == names.end() || index >= values.size()) return std::nullopt;
      return ParseUnsigned(values[index], UINT64_MAX);
    };
    std::optional<std::uint64_t> opens = value("PassiveOpens");
    std::optional<std::uint64_t> segments = value("InSegs");
    if (!opens || !segments) return std::nullopt;
    return TcpCounters{*opens, *segments};
  }
  return std::nullopt;
}

void IdleWatch::Saw(SteadyTime when) {
  if (!last_activity_ || when > *last_activity_) last_activity_ = when;
}

void IdleWatch::Observe(const Look& look) {
  // One request per connection opens and closes between two looks: only the counter shows it.
  if (counters_ && look.counters.passive_opens != counters_->passive_opens) Saw(look.at);
  counters_ = look.counters;
  if (look.accept_queue_waiting) Saw(look.at);
  settled_ = !look.accept_queue_waiting;

  std::vector<std::uint64_t> seen;
  std::vector<std::uint64_t> open;
  seen.reserve(look.connections.size());
  open.reserve(look.connections.size());
  for (const CountedConnection& connection : look.connections) {
    // The kernel counts in jiffies, so the age it reports can be short by one tick (10 ms at
    // HZ=100): date the data that much later, never earlier.
    Saw(connection.since_data ? std::min(look.at, look.at - *connection.since_data + kTick)
                              : look.at);
    if (!connection.since_data || connection.unread) settled_ = false;
    if (connection.unread) Saw(look.at);
    seen.push_back(connection.cookie);
    if (connection.peer_may_send) open.push_back(connection.cookie);
  }
  std::sort(seen.begin(), seen.end());
  std::sort(open.begin(), open.end());
  // A connection that could still receive at the last look and is gone now may have received its
  // last bytes after that look, just before it closed.
  if (!std::includes(seen.begin(), seen.end(), open_.begin(), open_.end())) Saw(look.at);
  open_ = std::move(open);
}

void IdleWatch::ObserveFailure(SteadyTime at) {
  Saw(at);
  settled_ = false;
}

bool IdleWatch::Idle(SteadyTime now) const {
  if (now < DeadlineAfter(start_, idle_)) return false;
  return !last_activity_ || now >= DeadlineAfter(*last_activity_, idle_);
}

SteadyTime IdleWatch::NextLook(SteadyTime now) const {
  SteadyTime next = std::min(now + kLookInterval, end_);
  SteadyTime could_end = DeadlineAfter(start_, idle_);
  if (last_activity_) could_end = std::max(could_end, DeadlineAfter(*last_activity_, idle_));
  if (could_end > now) next = std::min(next, could_end);
  return next;
}

}  // namespace linger
