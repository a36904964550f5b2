// --until-idle's eyes: the kernel's TCP socket table through NETLINK_SOCK_DIAG and the TCP
// counters of /proc/net/snmp, both of linger's own network namespace (the pod's).
// Neither needs a privilege: this works as uid 65532 with every capability dropped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fd.h"
#include "idle.h"
#include "own_listener.h"
#include "result.h"

namespace linger {

// Watches the serving ports while one delay runs, and decides when it may end.
class TrafficWatch {
 public:
  // Opens the netlink socket and /proc/net/snmp and finds the serving ports. The error says why
  // the traffic cannot be watched (netlink refused, no serving port); the caller then waits the
  // full delay. `own`, when given, is linger's own listener: never a serving port, and its
  // connections are not traffic.
  static Result<TrafficWatch> Start(const IdleOptions& options, SteadyTime start, SteadyTime end,
                                    const OwnListener* own = nullptr);

  // The serving ports being watched.
  const IntList& ports() const { return ports_; }
  // For the line that starts the delay: "while ports 8080 are busy (until idle for 3s)".
  std::string Watching() const;

  // How a look came out.
  enum class Verdict { kBusy, kIdle, kOver };
  // Looks once, now: kIdle once the ports have been quiet long enough, kOver when the longest wait
  // has passed first. A look that fails counts as traffic, and is logged once per new reason.
  Verdict Look();

  // When to look next.
  SteadyTime NextLook(SteadyTime now) const { return decision_.NextLook(now); }

  // The line that says why the delay ended: "ports idle for 3s after 7.2s" or "delay of 1m over,
  // ports still busy (last data 0.1s ago)".
  std::string EndReason(Verdict verdict) const;

 private:
  TrafficWatch(const IdleOptions& options, SteadyTime start, SteadyTime end)
      : options_(options),
        start_(start),
        end_(end),
        decision_(start, options.idle.value_or(Duration{}), end) {}

  // Fills sockets_ with those of `families` on `ports` (every listener and connection when
  // `ports` is empty).
  Result<void> Dump(const IntList& ports, std::span<const int> families);
  // The namespace's TCP counters, read afresh.
  Result<TcpCounters> Counters() const;

  IdleOptions options_;
  SteadyTime start_;
  SteadyTime end_;
  SteadyTime last_look_;
  IdleWatch decision_;
  IntList ports_;
  std::vector<int> families_;  // AF_INET, AF_INET6 or both: see ListeningFamilies
  UniqueFd netlink_;
  UniqueFd snmp_;
  std::uint32_t sequence_ = 0;
  std::vector<unsigned char> buffer_;   // one netlink datagram
  std::vector<TcpSocket> sockets_;      // the last dump, its memory kept for the next one
  std::optional<std::string> failure_;  // the last look's error, logged once per new error
  const OwnListener* own_ = nullptr;
};

}  // namespace linger
