// Waiting for descriptors until a deadline on the monotonic clock, to within the timer slack.
#pragma once

#include <poll.h>

#include <chrono>
#include <optional>
#include <span>

namespace linger {

// ppoll on `fds` until one is ready or `deadline` passes (no deadline: until one is ready). Returns
// the number of ready descriptors (their revents set), 0 once the deadline has passed, or -1 with
// errno set (EINTR included: the caller decides whether to go round again).
int PollUntil(std::span<pollfd> fds, std::optional<std::chrono::steady_clock::time_point> deadline);

}  // namespace linger
