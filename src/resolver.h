// Name resolution over real files and sockets: /etc/hosts, then DNS over UDP as /etc/resolv.conf
// says, bounded by a deadline and ended by a stop signal. The decisions live in dns.h.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "dns.h"
#include "result.h"

namespace linger {

// The addresses a lookup found.
struct Resolved {
  std::vector<IpAddress> addresses;  // in the order to try them
  std::string note;  // what went wrong on the way but did not stop it, "" when nothing did
};

// Looks names up, remembering between lookups which nameserver to ask first.
class Resolver {
 public:
  using Clock = std::chrono::steady_clock;

  // Finds the addresses of `host` (a name or an IP address), giving up at `deadline`, or at once
  // when `stop_fd` becomes readable (the caller sees the stop signal pending).
  Result<Resolved> Resolve(const std::string& host, Clock::time_point deadline, int stop_fd);

 private:
  ServerChoice servers_;
};

}  // namespace linger
