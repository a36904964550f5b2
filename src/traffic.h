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
#include "socket_headers.h"

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

  // Looks happen in steps, so that the caller's loop stays responsive however large the socket
  // table (10,000 connections take the kernel about 12 ms to dump): between two steps it can
  // forward a signal. Step() does what is due without blocking: starts a look when it is time for
  // one, or reads one datagram of the kernel's answer to the look under way. It gives the verdict
  // once a look is complete: kIdle once the ports have been quiet long enough, kOver when the
  // longest wait has passed first. A look that fails counts as traffic, and is logged once per new
  // reason.
  std::optional<Verdict> Step(SteadyTime now);
  // What to wait for before the next Step(): the netlink socket becoming readable (its
  // descriptor while a look is under way, else -1), or NextStep() passing. A look still under way
  // at its deadline has failed.
  int fd() const { return dumping_ ? netlink_.get() : -1; }
  SteadyTime NextStep() const { return dumping_ ? look_deadline_ : next_look_; }

  // The line that says why the delay ended: "ports idle for 3s after 7.2s" or "delay of 1m over,
  // ports still busy (last data 0.1s ago)".
  std::string EndReason(Verdict verdict) const;

 private:
  TrafficWatch(const IdleOptions& options, SteadyTime start, SteadyTime end)
      : options_(options),
        start_(start),
        end_(end),
        next_look_(start),
        decision_(start, options.idle.value_or(Duration{}), end) {}

  // Starts filling sockets_ with those of families_ on ports_ (every listener and connection when
  // ports_ is empty).
  Result<void> StartDump(SteadyTime now);
  // Asks for the dump of the next family.
  Result<void> Request();
  // Reads one datagram of the dump under way, if one has arrived; true once the dump is complete.
  Result<bool> ReadDump();
  // A whole dump, waiting for it: only when the watch starts, before anything else needs doing.
  Result<void> DumpNow();
  // Gives up the dump under way: the kernel would refuse another dump on this socket until this
  // one is read to its end (EBUSY), so a new socket replaces it.
  void AbandonDump();
  // The verdict of the looks so far at `now`, and when the next one is due.
  Verdict Decide(SteadyTime now);
  // The namespace's TCP counters, read afresh.
  Result<TcpCounters> Counters() const;

  IdleOptions options_;
  SteadyTime start_;
  SteadyTime end_;
  SteadyTime last_look_;
  SteadyTime next_look_;
  IdleWatch decision_;
  IntList ports_;
  std::vector<int> families_ = {AF_INET, AF_INET6};  // see ListeningFamilies
  UniqueFd netlink_;                                 // non-blocking
  UniqueFd snmp_;
  std::uint32_t sequence_ = 0;
  // The look under way: the family being dumped, the counters read before it, its deadline.
  bool dumping_ = false;
  size_t family_ = 0;
  TcpCounters look_counters_;
  SteadyTime look_deadline_;
  std::vector<unsigned char> buffer_;   // one netlink datagram
  std::vector<TcpSocket> sockets_;      // the last dump, its memory kept for the next one
  std::optional<std::string> failure_;  // the last look's error, logged once per new error
  const OwnListener* own_ = nullptr;
};

}  // namespace linger
