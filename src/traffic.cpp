#include "traffic.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "log.h"
#include "socket_headers.h"

namespace linger {
namespace {

// A dump larger than this is not a pod's table; stop reading rather than grow without bound.
constexpr size_t kMaxSockets = 1'000'000;
// The kernel never sends a dump datagram larger than 32 KiB (netlink_dump), whatever the buffer.
constexpr size_t kDatagramBytes = 64 * 1024;

// Durations in the end lines, to a tenth of a second: "7.2s".
std::string Tenths(Duration d) {
  using Deciseconds = std::chrono::duration<std::int64_t, std::deci>;
  return FormatDuration(std::chrono::round<Deciseconds>(d));
}

}  // namespace

Result<TrafficWatch> TrafficWatch::Start(const IdleOptions& options, SteadyTime start,
                                         SteadyTime end, const OwnListener* own) {
  TrafficWatch watch(options, start, end);
  watch.own_ = own;
  watch.netlink_ = UniqueFd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!watch.netlink_) {
    return Error{fmt::format("cannot open a NETLINK_SOCK_DIAG socket: {}", std::strerror(errno))};
  }
  // The kernel answers a dump at once; a receive that waits this long means something is wrong,
  // and a look must never hang a delay that has a deadline.
  timeval limit{1, 0};
  if (setsockopt(watch.netlink_.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) != 0) {
    return Error{fmt::format("SO_RCVTIMEO on the netlink socket: {}", std::strerror(errno))};
  }
  watch.snmp_ = UniqueFd(open("/proc/net/snmp", O_RDONLY | O_CLOEXEC));
  if (!watch.snmp_) return Error{fmt::format("/proc/net/snmp: {}", std::strerror(errno))};
  Result<TcpCounters> counters = watch.Counters();
  if (!counters.ok()) return counters.error();
  watch.buffer_.resize(kDatagramBytes);

  // One dump now, also when the ports are given: a sandbox that refuses sock_diag must show up
  // here, as one line and the full delay, not as a failed look every 250 ms.
  constexpr int kBoth[] = {AF_INET, AF_INET6};
  Result<void> dumped = watch.Dump(options.ports.value_or(IntList()), kBoth);
  if (!dumped.ok()) return dumped.error();
  watch.ports_ =
      options.ports ? *options.ports : ListeningPorts(watch.sockets_, own ? own->port() : 0);
  if (watch.ports_.ranges().empty()) return Error{"no TCP port is listening beyond loopback"};
  watch.families_ = ListeningFamilies(watch.sockets_, watch.ports_);
  return watch;
}

TrafficWatch::Verdict TrafficWatch::Look() {
  // The counters first: a segment that arrives after this read is in the dump, or moves the
  // counters that the next look compares.
  Result<TcpCounters> counters = Counters();
  const bool settled = counters.ok() && decision_.Settled(*counters);
  Result<void> dumped = settled ? Result<void>() : Dump(ports_, families_);
  // Read the clock after the kernel has answered: ages are counted back from a moment no earlier
  // than the one at which the kernel measured them, so activity is never dated too early.
  const SteadyTime now = std::chrono::steady_clock::now();
  last_look_ = now;
  if (settled) {
    // Nothing arrived since the last look: what it saw still holds.
  } else if (dumped.ok() && counters.ok()) {
    decision_.Observe(Summarize(now, sockets_, ports_, options_.ignore_from, *counters));
    failure_.reset();
  } else {
    decision_.ObserveFailure(now);
    const std::string& why = counters.ok() ? dumped.error().message : counters.error().message;
    if (failure_ != why) LogWarn("cannot see the traffic, counting it as busy: {}", why);
    failure_ = why;
  }
  if (decision_.Idle(now)) return Verdict::kIdle;
  if (decision_.Over(now)) return Verdict::kOver;
  return Verdict::kBusy;
}

std::string TrafficWatch::Watching() const {
  return fmt::format("while ports {} are busy (until idle for {})", FormatPorts(ports_),
                     FormatDuration(*options_.idle));
}

std::string TrafficWatch::EndReason(Verdict verdict) const {
  if (verdict == Verdict::kIdle) {
    return fmt::format("ports idle for {} after {}", FormatDuration(*options_.idle),
                       Tenths(last_look_ - start_));
  }
  std::optional<SteadyTime> last = decision_.last_activity();
  return fmt::format("delay of {} over, ports still busy ({})", FormatDuration(end_ - start_),
                     last ? fmt::format("last data {} ago", Tenths(last_look_ - *last))
                          : fmt::format("not idle for {} yet", FormatDuration(*options_.idle)));
}

Result<void> TrafficWatch::Dump(const IntList& ports, std::span<const int> families) {
  sockets_.clear();
  for (int family : families) {
    const std::uint32_t sequence = ++sequence_;
    const std::string request = BuildTcpDumpRequest(family, sequence, ports.ranges());
    // An unconnected netlink socket sends to the kernel (netlink(7)).
    ssize_t sent;
    do {
      sent = send(netlink_.get(), request.data(), request.size(), 0);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return Error{fmt::format("sock_diag request: {}", std::strerror(errno))};

    while (true) {
      // MSG_TRUNC makes recv return the datagram's real length, so a cut one is noticed.
      ssize_t got = recv(netlink_.get(), buffer_.data(), buffer_.size(), MSG_TRUNC);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Error{fmt::format("sock_diag reply: {}", std::strerror(errno))};
      if (static_cast<size_t>(got) > buffer_.size()) {
        return Error{fmt::format("sock_diag reply of {} bytes", got)};
      }
      Result<bool> done =
          ParseDumpReply({buffer_.data(), static_cast<size_t>(got)}, sequence, sockets_);
      if (!done.ok()) return done.error();
      if (sockets_.size() > kMaxSockets) return Error{"more than a million sockets"};
      if (*done) break;
    }
  }
  return {};
}

Result<TcpCounters> TrafficWatch::Counters() const {
  // Read from offset 0 every time: the seq_file renders the counters afresh.
  char text[8192];
  size_t size = 0;
  while (size < sizeof text) {
    ssize_t n = pread(snmp_.get(), text + size, sizeof text - size, static_cast<off_t>(size));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{fmt::format("/proc/net/snmp: {}", std::strerror(errno))};
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  std::optional<TcpCounters> counters = ParseTcpCounters({text, size});
  if (!counters) return Error{"/proc/net/snmp has no Tcp PassiveOpens and InSegs counters"};
  // The health checks that linger accepted itself are not the app's connections.
  if (own_) counters->passive_opens -= own_->Opens();
  return *counters;
}

}  // namespace linger
