// Connecting to a service's addresses within one attempt: each connect is a non-blocking socket
// whose wait is bounded by the attempt's deadline and ended by a stop signal.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "fd.h"
#include "net/ip_address.h"
#include "net/stream.h"
#include "result.h"

namespace linger {

// Opens a non-blocking socket of `type` and starts connecting it; the error names the endpoint.
Result<UniqueFd> StartConnect(const IpAddress& address, std::uint16_t port, int type);

// A connected socket, and how messages name it.
struct Connection {
  UniqueFd fd;
  std::string endpoint;  // "127.0.0.1:80"
};

// Connects to `addresses` as RFC 8305 ("Happy Eyeballs") does: the next address starts once the
// last one started has been pending for a stagger, at once when none is pending, and the first to
// connect wins. The error says what happened at each address (kStopped as soon as a stop signal is
// pending, kTimedOut when the deadline ended the last of them).
Result<Connection> Connect(const AttemptContext& ctx, std::span<const IpAddress> addresses,
                           std::uint16_t port);

}  // namespace linger
