#include "traffic.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "log.h"
#include "socket_headers.h"
#include "wait_for.h"

namespace linger {
namespace {

// A dump larger than this is not a pod's table; stop reading rather than grow without bound.
constexpr size_t kMaxSockets = 1'000'000;
// The kernel never sends a dump datagram larger than 32 KiB (netlink_dump), whatever the buffer.
constexpr size_t kDatagramBytes = 64 * 1024;

// How long the kernel may take to answer one look; it needs milliseconds even for 10,000
// connections, so a look that takes longer is stuck and counts as traffic.
constexpr Duration kLookLimit = std::chrono::seconds(1);

Error LookTimedOut() {
  return Error{fmt::format("no complete sock_diag reply within {}", FormatDuration(kLookLimit))};
}

Result<UniqueFd> OpenNetlink() {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_SOCK_DIAG));
  if (!fd) {
    return Error::System("cannot open a NETLINK_SOCK_DIAG socket", errno);
  }
  return fd;
}

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
  Result<UniqueFd> netlink = OpenNetlink();
  if (!netlink.ok()) return netlink.error();
  watch.netlink_ = std::move(*netlink);
  watch.snmp_ = UniqueFd(open("/proc/net/snmp", O_RDONLY | O_CLOEXEC));
  if (!watch.snmp_) return Error::System("/proc/net/snmp", errno);
  Result<TcpCounters> counters = watch.Counters();
  if (!counters.ok()) return counters.error();
  watch.buffer_.resize(kDatagramBytes);

  // One dump now, also when the ports are given: a sandbox that refuses sock_diag must show up
  // here, as one line and the full delay, not as a failed look every 250 ms.
  watch.ports_ = options.ports.value_or(IntList());
  Result<void> dumped = watch.DumpNow();
  if (!dumped.ok()) return dumped.error();
  if (options.ports) {
    // A port nobody listens on is a typo or a table the sandbox hides: with none listening there
    // is no evidence of anything, so the full delay.
    const IntList silent = NotListening(watch.sockets_, watch.ports_);
    const size_t count = silent.ranges().size();
    if (count > 0) {
      const bool one = count == 1 && silent.ranges()[0].first == silent.ranges()[0].second;
      const std::string line = fmt::format("{} {} {} not listening", one ? "port" : "ports",
                                           FormatPorts(silent), one ? "is" : "are");
      if (count == watch.ports_.ranges().size()) return Error{line};
      LogWarn("{}", line);
    }
  } else {
    watch.ports_ = ListeningPorts(watch.sockets_, own ? own->port() : 0);
    if (watch.ports_.ranges().empty()) return Error{"no TCP port is listening beyond loopback"};
  }
  watch.families_ = ListeningFamilies(watch.sockets_, watch.ports_);
  return watch;
}

std::optional<TrafficWatch::Verdict> TrafficWatch::Step(SteadyTime now) {
  Result<void> progress;
  if (!dumping_) {
    if (now < next_look_) return std::nullopt;
    // The counters first: a segment that arrives after this read is in the dump, or moves the
    // counters that the next look compares.
    Result<TcpCounters> counters = Counters();
    if (counters.ok() && decision_.Settled(*counters)) {
      // Nothing arrived since the last look: what it saw still holds.
      last_look_ = now;
      return Decide(now);
    }
    if (counters.ok()) look_counters_ = *counters;
    progress = counters.ok() ? StartDump(now) : Result<void>(counters.error());
  } else {
    Result<bool> done = ReadDump();
    if (!done.ok()) {
      progress = done.error();
    } else if (*done) {
      // Read the clock after the kernel has answered: ages are counted back from a moment no
      // earlier than the one at which the kernel measured them, so activity is never dated too
      // early.
      now = std::chrono::steady_clock::now();
      last_look_ = now;
      decision_.Observe(Summarize(now, sockets_, ports_, options_.ignore_from, look_counters_));
      failure_.reset();
      return Decide(now);
    } else if (now >= look_deadline_) {
      progress = LookTimedOut();
    }
  }
  if (progress.ok()) return std::nullopt;  // the look goes on
  if (dumping_) AbandonDump();
  now = std::chrono::steady_clock::now();
  last_look_ = now;
  decision_.ObserveFailure(now);
  const std::string& why = progress.error().message;
  if (failure_ != why) LogWarn("cannot see the traffic, counting it as busy: {}", why);
  failure_ = why;
  return Decide(now);
}

TrafficWatch::Verdict TrafficWatch::Decide(SteadyTime now) {
  next_look_ = decision_.NextLook(now);
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

Result<void> TrafficWatch::StartDump(SteadyTime now) {
  sockets_.clear();
  family_ = 0;
  look_deadline_ = DeadlineAfter(now, kLookLimit);
  Result<void> sent = Request();
  dumping_ = sent.ok();
  return sent;
}

Result<void> TrafficWatch::Request() {
  const std::string request = BuildTcpDumpRequest(families_[family_], ++sequence_, ports_.ranges());
  // An unconnected netlink socket sends to the kernel (netlink(7)), which handles the request
  // before send returns.
  ssize_t sent;
  do {
    sent = send(netlink_.get(), request.data(), request.size(), 0);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return Error::System("sock_diag request", errno);
  return {};
}

Result<bool> TrafficWatch::ReadDump() {
  // MSG_TRUNC makes recv return the datagram's real length, so a cut one is noticed. The kernel
  // fills the next datagram while this one is read, so each read costs about as much as the last.
  ssize_t got;
  do {
    got = recv(netlink_.get(), buffer_.data(), buffer_.size(), MSG_TRUNC);
  } while (got < 0 && errno == EINTR);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
  if (got < 0) return Error::System("sock_diag reply", errno);
  if (static_cast<size_t>(got) > buffer_.size()) {
    return Error{fmt::format("sock_diag reply of {} bytes", got)};
  }
  Result<bool> done =
      ParseDumpReply({buffer_.data(), static_cast<size_t>(got)}, sequence_, sockets_);
  if (!done.ok()) return done.error();
  if (sockets_.size() > kMaxSockets) return Error{"more than a million sockets"};
  if (!*done) return false;
  if (++family_ < families_.size()) {
    Result<void> sent = Request();
    if (!sent.ok()) return sent.error();
    return false;
  }
  dumping_ = false;
  return true;
}

Result<void> TrafficWatch::DumpNow() {
  Result<void> started = StartDump(std::chrono::steady_clock::now());
  while (started.ok()) {
    Result<bool> done = ReadDump();
    if (!done.ok()) {
      started = done.error();
    } else if (*done) {
      return {};
    } else if (WaitEnd end =
                   WaitFor(netlink_.get(), POLLIN, -1, look_deadline_, Precision::kCoarse);
               end != WaitEnd::kReady) {
      started = end == WaitEnd::kTimedOut ? LookTimedOut()
                                          : Error::System("ppoll on the netlink socket", errno);
    }
  }
  AbandonDump();
  return started.error();
}

void TrafficWatch::AbandonDump() {
  dumping_ = false;
  Result<UniqueFd> fresh = OpenNetlink();
  // Without a new socket the old one stays: its next request fails, and the look with it.
  if (fresh.ok()) netlink_ = std::move(*fresh);
}

Result<TcpCounters> TrafficWatch::Counters() const {
  // Read from offset 0 every time: the seq_file renders the counters afresh.
  char text[8192];
  size_t size = 0;
  while (size < sizeof text) {
    ssize_t n = pread(snmp_.get(), text + size, sizeof text - size, static_cast<off_t>(size));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::System("/proc/net/snmp", errno);
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
