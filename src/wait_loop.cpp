#include "wait_loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "commands.h"
#include "exit_status.h"
#include "log.h"
#include "signals.h"
#include "spawn.h"

namespace linger {

Result<bool> ApplyWaitTiming(const Option& option, WaitTiming& timing) {
  Duration* duration = option.name == "timeout"           ? &timing.timeout
                       : option.name == "interval"        ? &timing.interval
                       : option.name == "request-timeout" ? &timing.request_timeout
                                                          : nullptr;
  if (duration == nullptr) return false;
  Result<Duration> value = ParseDuration(option.value);
  if (!value.ok()) return Error{fmt::format("--{}: {}", option.name, value.error())};
  *duration = *value;
  return true;
}

int RunWaitLoop(std::string_view command_name, std::string_view target, const WaitTiming& timing,
                const AttemptFunction& attempt, std::span<char* const> command) {
  const SignalState inherited = CurrentSignalState();
  Result<StopSignals> stop = StopSignals::Open(inherited);
  if (!stop.ok()) {
    LogError("{}: {}", command_name, stop.error());
    return kExitFailure;
  }
  using Clock = StopSignals::Clock;
  const auto start = Clock::now();
  // Forever is a deadline that never comes, which keeps every comparison below simple.
  const auto deadline = timing.timeout > Duration::zero() ? DeadlineAfter(start, timing.timeout)
                                                          : Clock::time_point::max();
  LogInfo("waiting for {} (timeout {}, every {})", target,
          timing.timeout > Duration::zero() ? FormatDuration(timing.timeout) : "none",
          FormatDuration(timing.interval));

  std::string last_failure;
  int sig = 0;
  while (true) {
    auto attempt_deadline = deadline;
    if (timing.request_timeout > Duration::zero()) {
      attempt_deadline = std::min(deadline, DeadlineAfter(Clock::now(), timing.request_timeout));
    }
    AttemptResult result = attempt(attempt_deadline, stop->fd());
    if (result.kind == AttemptResult::kStopped) {
      sig = stop->Take();
      break;
    }
    if (result.kind == AttemptResult::kReady) {
      LogInfo("{} is ready after {}: {}", target, FormatSince(start), result.detail);
      if (command.empty()) return kExitSuccess;
      return ExecCommand(command, inherited);
    }
    // An attempt that the overall deadline cut short says only that time ran out: the reason
    // before it is the one worth reporting.
    bool cut_short = attempt_deadline == deadline && Clock::now() >= deadline;
    // One line per change of reason, not one per attempt: a long wait stays readable.
    if (result.detail != last_failure && !(cut_short && !last_failure.empty())) {
      LogInfo("not ready: {}", result.detail);
      last_failure = result.detail;
    }
    sig = stop->WaitUntil(std::min(deadline, DeadlineAfter(Clock::now(), timing.interval)));
    if (sig < 0) {
      LogError("{}: ppoll: {}", command_name, std::strerror(errno));
      return kExitFailure;
    }
    if (sig > 0) break;
    if (Clock::now() >= deadline) {
      LogError("gave up on {} after {}: {}", target, FormatSince(start), last_failure);
      return kExitFailure;
    }
  }
  return StoppedBySignal(sig, start);
}

}  // namespace linger
