// Name resolution over real files and sockets: /etc/hosts, then DNS over UDP as /etc/resolv.conf
// says, bounded by a deadline and ended by a stop signal. The decisions live in dns.h.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "net/dns.h"
#include "net/stream.h"
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

  // Finds the addresses of `host` (a name or an IP address), at least one, within the attempt's
  // context: kTimedOut at its deadline, kStopped at once when a stop signal is pending (left
  // pending for the caller), kNotFound when the name does not exist.
  Result<Resolved> Resolve(const std::string& host, const AttemptContext& ctx);

 private:
  ServerChoice servers_;
};

}  // namespace linger
