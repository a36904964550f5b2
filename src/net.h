// One wait-http or wait-tcp attempt over real sockets: resolve, connect, then (wait-http) TLS for
// https, send, read, judge. Every wait is a poll() bounded by the attempt's deadline that also
// watches the stop signals.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "dns.h"
#include "fd.h"
#include "int_list.h"
#include "resolver.h"
#include "result.h"
#include "tls.h"
#include "url.h"

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

// How an attempt ended.
struct AttemptResult {
  enum Kind { kReady, kNotReady, kStopped } kind;
  std::string detail;  // "HTTP 200 OK", or why not ready; empty when stopped
};

// Runs one attempt, giving up at `deadline` (steady clock); `resolver` carries what one lookup
// learnt to the next. Returns kStopped as soon as `stop_fd` (the StopSignals descriptor) becomes
// readable; the signal stays pending for the caller.
AttemptResult RunAttempt(const Probe& probe, Resolver& resolver,
                         std::chrono::steady_clock::time_point deadline, int stop_fd);

// One wait-tcp attempt: resolves `host` and connects to its addresses in turn; ready as soon as one
// accepts, and the connection is closed at once without a byte sent. Deadline and stop as above.
AttemptResult RunConnectAttempt(const std::string& host, std::uint16_t port, Resolver& resolver,
                                std::chrono::steady_clock::time_point deadline, int stop_fd);

// One dns:// attempt: ready once `host` resolves to at least one address. Deadline and stop as
// above.
AttemptResult RunResolveAttempt(const std::string& host, Resolver& resolver,
                                std::chrono::steady_clock::time_point deadline, int stop_fd);

// Opens a non-blocking socket of `type` and starts connecting it; the error names the endpoint.
Result<UniqueFd> StartConnect(const IpAddress& address, std::uint16_t port, int type);

// True when a stop signal is pending on `stop_fd`: whatever failed, the attempt ends as stopped.
bool StopPending(int stop_fd);

}  // namespace linger
