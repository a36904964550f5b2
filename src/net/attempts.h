// One attempt at each kind of target over real sockets: http(s) (resolve, connect, TLS for https,
// send, read, judge), tcp (resolve, connect) and dns (resolve). Every wait is bounded by the
// attempt's deadline and ended by a pending stop signal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "int_list.h"
#include "net/resolver.h"
#include "net/tls.h"
#include "net/url.h"
#include "result.h"

namespace linger {

// What to ask and what counts as ready.
struct Probe {
  Url url;
  std::string request;  // BuildRequest's output
  bool head_request = false;
  IntList statuses;
  std::string body_contains;
  TlsOptions tls;  // for https:// URLs
};

// How an attempt that ended ready went ("HTTP 200 OK"), or why it was not ready: a kStopped error
// as soon as `stop_fd` (the StopSignals descriptor, or -1) became readable, the signal left
// pending for the caller; else the reason, worded the same on every attempt that fails alike.
using AttemptResult = Result<std::string>;

// Runs one http or https attempt, giving up at `deadline` (steady clock); `resolver` carries what
// one lookup learnt to the next. The first address that accepts answers for the host, as curl's.
AttemptResult RunAttempt(const Probe& probe, Resolver& resolver,
                         std::chrono::steady_clock::time_point deadline, int stop_fd);

// One wait-tcp attempt: resolves `host` and connects; ready as soon as one address accepts, and
// the connection is closed at once without a byte sent. Deadline and stop as above.
AttemptResult RunConnectAttempt(const std::string& host, std::uint16_t port, Resolver& resolver,
                                std::chrono::steady_clock::time_point deadline, int stop_fd);

// One dns:// attempt: ready once `host` resolves to at least one address. Deadline and stop as
// above.
AttemptResult RunResolveAttempt(const std::string& host, Resolver& resolver,
                                std::chrono::steady_clock::time_point deadline, int stop_fd);

}  // namespace linger
