// linger sleep: the preStop hook for images that have no sleep of their own.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "cli.h"
#include "commands.h"
#include "duration.h"
#include "exit_status.h"
#include "log.h"
#include "signals.h"
#include "spawn.h"

namespace linger {

const std::string_view kSleepHelp = R"(Usage: linger sleep [OPTIONS] DURATION [-- COMMAND [ARG...]]

Wait DURATION on the monotonic clock, then exit 0, or replace linger with
COMMAND (same pid, environment and inherited signal state).

DURATION is a number of seconds (20, 1.5) or Go-style (500ms, 20s, 1m30s, 2h;
units ns us ms s m h), 0, or infinity.

SIGTERM, SIGINT and SIGHUP end the wait at once with status 128+N, also when
linger is PID 1. Signals inherited as ignored stay ignored.

Options:
  --quiet       no informational lines (errors still print)
  --log PATH    append linger's lines to PATH instead of stderr
                (--log /proc/1/fd/2 shows a preStop hook's lines in kubectl logs)
  -h, --help    show this help

Example (Kubernetes preStop exec hook):
  lifecycle: {preStop: {exec: {command: ["/linger", "sleep", "20s"]}}}
)";

int RunSleep(std::span<char* const> args) {
  Invocation invocation = StartCommand("sleep", kSleepHelp, args, {}, OptionOrder::kInterleaved);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  if (parsed.positionals.size() != 1) {
    if (parsed.positionals.empty()) {
      LogError("sleep: missing DURATION (try 'linger sleep --help')");
    } else {
      LogError("sleep: unexpected argument '{}' (COMMAND goes after '--')", parsed.positionals[1]);
    }
    return kExitUsage;
  }

  std::string_view text = parsed.positionals[0];
  std::optional<Duration> duration;  // empty: infinity
  if (text != "infinity" && text != "inf") {
    Result<Duration> d = ParseDuration(text);
    if (!d.ok()) {
      LogError("sleep: {}", d.error());
      return kExitUsage;
    }
    duration = *d;
  }

  const SignalState inherited = CurrentSignalState();
  Result<StopSignals> stop = StopSignals::Open(inherited);
  if (!stop.ok()) {
    LogError("sleep: {}", stop.error());
    return kExitFailure;
  }
  const auto start = StopSignals::Clock::now();
  std::optional<StopSignals::Clock::time_point> deadline;
  if (duration) deadline = DeadlineAfter(start, *duration);
  LogInfo("sleeping {}", duration ? FormatDuration(*duration) : "infinity");

  int sig = stop->WaitUntil(deadline);
  if (sig < 0) {
    LogError("sleep: ppoll: {}", std::strerror(errno));
    return kExitFailure;
  }
  if (sig > 0) return StoppedBySignal(sig, start);
  if (parsed.command.empty()) return kExitSuccess;
  return ExecCommand(parsed.command, inherited);
}

}  // namespace linger
