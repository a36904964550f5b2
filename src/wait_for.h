// The one way linger waits: for a descriptor, a stop signal or a deadline on the monotonic clock.
#pragma once

#include <poll.h>

#include <chrono>
#include <optional>
#include <span>

namespace linger {

// How a wait ended.
enum class WaitEnd {
  kReady,     // the descriptor has the events asked for
  kTimedOut,  // the deadline has passed
  kStopped,   // the stop descriptor is readable (a stop signal is pending)
  kFailed,    // ppoll failed; errno says why
};

// How closely a deadline is kept.
enum class Precision {
  kExact,   // to within the timer slack, 50 µs: delays that people time
  kCoarse,  // up to 0.1% late, with no timer to create: the many short waits of network I/O
};

// Waits until `fd` has `events`, `stop_fd` is readable (checked first), or `deadline` passes;
// without a deadline, for as long as it takes. A negative descriptor is not watched. Interrupted
// calls resume, so EINTR never ends a wait early. When no timer can be created (the descriptor
// limit reached), an exact wait goes on coarsely, with one warning that names the cause.
WaitEnd WaitFor(int fd, short events, int stop_fd,
                std::optional<std::chrono::steady_clock::time_point> deadline, Precision precision);

// Waits until one of `fds` but the last has one of its events (kReady; each revents says which)
// or `deadline` passes, as WaitFor does. The last entry is spare: the wait puts its timer there.
WaitEnd WaitForAny(std::span<pollfd> fds,
                   std::optional<std::chrono::steady_clock::time_point> deadline,
                   Precision precision);

}  // namespace linger
