// The loop wait-http and wait-tcp share: attempts until one succeeds, a line each time the reason
// for failure changes, a pause between attempts, the overall deadline, and the stop signals.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string_view>

#include "duration.h"
#include "net.h"

namespace linger {

// The timing options of a wait.
struct WaitTiming {
  Duration timeout;          // --timeout; zero waits forever
  Duration interval;         // --interval: pause after a failed attempt
  Duration request_timeout;  // --request-timeout; zero: no limit of its own
};

// One attempt: gives up at `deadline`, returns kStopped once `stop_fd` is readable.
using AttemptFunction =
    std::function<AttemptResult(std::chrono::steady_clock::time_point deadline, int stop_fd)>;

// Runs `attempt` until it is ready (exit 0, or exec `command` when not empty), the timeout passes
// (exit 1) or a stop signal arrives (128+N). `target` names what is waited for in the lines.
int RunWaitLoop(std::string_view target, const WaitTiming& timing, const AttemptFunction& attempt,
                std::span<char* const> command);

}  // namespace linger
