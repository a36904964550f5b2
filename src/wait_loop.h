// The loop wait-http and wait-tcp share: attempts until one succeeds, a line each time the reason
// for failure changes, a pause between attempts, the overall deadline, and the stop signals.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string_view>

#include "cli.h"
#include "duration.h"
#include "net.h"
#include "result.h"

namespace linger {

// The timing options of a wait, with their defaults.
struct WaitTiming {
  Duration timeout = std::chrono::seconds(30);         // --timeout; zero waits forever
  Duration interval = std::chrono::seconds(1);         // --interval: pause after a failure
  Duration request_timeout = std::chrono::seconds(5);  // --request-timeout; zero: no own limit
};

// The option rows of WaitTiming, for a command's option table.
inline constexpr OptionSpec kWaitTimingOptions[] = {
    {"timeout", true}, {"interval", true}, {"request-timeout", true}};

// Applies `option` when it is one of kWaitTimingOptions: true then, false for any other option.
// A bad duration is an error naming the option.
Result<bool> ApplyWaitTiming(const Option& option, WaitTiming& timing);

// One attempt: gives up at `deadline`, returns kStopped once `stop_fd` is readable.
using AttemptFunction =
    std::function<AttemptResult(std::chrono::steady_clock::time_point deadline, int stop_fd)>;

// Runs `attempt` until it is ready (exit 0, or exec `command` when not empty), the timeout passes
// (exit 1) or a stop signal arrives (128+N). `command_name` prefixes errors; `target` names what
// is waited for in the lines.
int RunWaitLoop(std::string_view command_name, std::string_view target, const WaitTiming& timing,
                const AttemptFunction& attempt, std::span<char* const> command);

}  // namespace linger
