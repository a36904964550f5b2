#include "wait_loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "commands.h"
#include "log.h"
#include "signals.h"
#include "spawn.h"

namespace linger {

int RunWaitLoop(std::string_view target, const WaitTiming& timing, const AttemptFunction& attempt,
                std::span<char* const> command) {
  const SignalState inherited = CurrentSignalState();
  Result<StopSignals> stop = StopSignals::Open(inherited);
  if (!stop.ok()) return Fail(stop.error());
  using Clock = StopSignals::Clock;
  const auto start = Clock::now();
  // Forever is a deadline that never comes, which keeps every comparison below simple.
  const auto deadline = timing.timeout > Duration::zero() ? DeadlineAfter(start, timing.timeout)
                                                          : Clock::time_point::max();
  LogInfo("waiting for {} (timeout {}, every {})", target,
          timing.timeout > Duration::zero() ? FormatDuration(timing.timeout) : "none",
          FormatDuration(timing.interval));

  std::string last_failure;
  // One for the whole wait, so that what a lookup learnt about the nameservers serves the next.
  Resolver resolver;
  while (true) {
    auto attempt_deadline = deadline;
    if (timing.request_timeout > Duration::zero()) {
      attempt_deadline = std::min(deadline, DeadlineAfter(Clock::now(), timing.request_timeout));
    }
    AttemptResult result = attempt(resolver, attempt_deadline, stop->fd());
    if (result.kind == AttemptResult::kStopped) break;
    if (result.kind == AttemptResult::kReady) {
      LogInfo("{} is ready after {}: {}", target, FormatSince(start), result.detail);
      if (command.empty()) return kExitSuccess;
      return ExecCommand(command, inherited, *stop, start);
    }
    // An attempt that the overall deadline cut short says only that time ran out: the reason
    // before it is the one worth reporting.
    bool cut_short = attempt_deadline == deadline && Clock::now() >= deadline;
    // One line per change of reason, not one per attempt: a long wait stays readable.
    if (result.detail != last_failure && !(cut_short && !last_failure.empty())) {
      LogInfo("not ready: {}", result.detail);
      last_failure = result.detail;
    }
    Result<int> sig =
        stop->WaitUntil(std::min(deadline, DeadlineAfter(Clock::now(), timing.interval)));
    if (!sig.ok()) return Fail(sig.error());
    if (*sig > 0) return StoppedBySignal(*sig, start);
    if (Clock::now() >= deadline) {
      return Fail(Error{
          fmt::format("gave up on {} after {}: {}", target, FormatSince(start), last_failure)});
    }
  }
  return StoppedBySignal(stop->Take(), start);
}

}  // namespace linger
