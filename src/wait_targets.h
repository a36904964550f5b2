// The loop wait-http and wait-tcp share: attempts until one succeeds, a line each time the reason
// for failure changes, a pause between attempts, the overall deadline, and the stop signals.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "duration.h"
#include "net/attempts.h"

namespace linger {

// The timing options of a wait.
struct WaitTiming {
  Duration timeout = std::chrono::seconds(30);         // --timeout; zero waits forever
  Duration interval = std::chrono::seconds(1);         // --interval: pause after a failure
  Duration request_timeout = std::chrono::seconds(5);  // --request-timeout; zero: no own limit
};

// One attempt: resolves with `resolver`, gives up at `deadline`, ends with a kStopped error once
// `stop_fd` is readable.
using AttemptFunction = std::function<AttemptResult(
    Resolver& resolver, std::chrono::steady_clock::time_point deadline, int stop_fd)>;

// One of the targets of a wait: its name in the lines, and its attempt.
struct WaitTarget {
  std::string name;
  AttemptFunction attempt;
};

// wait-tcp's HOST:PORT, also as `tcp://HOST:PORT`; `name` is the target as written. The error
// (kInvalid) says why HOST:PORT does not parse.
Result<WaitTarget> TcpTarget(std::string_view name, std::string_view host_port);

// Waits for every target at the same time until each has been ready once (exit 0, or exec
// `command` when not empty), the timeout passes (exit 1) or a stop signal arrives (128+N). Several
// targets wait each in a child process of its own, so that an attempt that hangs never delays
// another target's; giving up names each target still not ready with its last reason. One target
// waits in linger itself, a line for each new reason.
int RunWaitTargets(std::span<const WaitTarget> targets, const WaitTiming& timing,
                   std::span<char* const> command);

}  // namespace linger
