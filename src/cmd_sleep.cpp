// linger sleep: the preStop hook for images that have no sleep of their own.
#include <fmt/format.h>

#include "cli.h"
#include "command_line.h"
#include "commands.h"
#include "duration.h"
#include "idle_option_rows.h"
#include "log.h"
#include "signals.h"
#include "spawn.h"
#include "traffic.h"

namespace linger {
namespace {

constexpr CommandDoc kSleep = {
    .name = "sleep",
    .synopsis = "[OPTIONS] DURATION [-- COMMAND [ARG...]]",
    .about = R"(Wait DURATION on the monotonic clock, then exit 0, or replace linger with
COMMAND (same pid, environment and inherited signal state).

DURATION is a number of seconds (20, 1.5) or Go-style (500ms, 20s, 1m30s, 2h;
units ns us ms s m h), 0, or infinity.

With --until-idle D, DURATION is the longest wait: it ends once the serving
ports have received nothing for D.

SIGTERM, SIGINT and SIGHUP end the wait at once with status 128+N, also when
linger is PID 1. Signals inherited as ignored stay ignored.
)",
    .footer = R"(Example (Kubernetes preStop exec hook):
  lifecycle: {preStop: {exec: {command: ["/linger", "sleep", "20s"]}}}
)",
    .order = OptionOrder::kInterleaved,
    .operand = "DURATION",
    .command = CommandArg::kOptional,
};

// What the command line asks of sleep beyond its DURATION.
struct SleepOptions {
  IdleOptions idle;  // --until-idle, --ports, --ignore-from
};

constexpr auto kSleepRows = IdleOptionRows<SleepOptions>(false);

}  // namespace

int RunSleep(std::span<char* const> args) {
  Invocation invocation = StartCommand<SleepOptions>(kSleep, kSleepRows, args);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;

  std::string_view text = parsed.positionals[0];
  std::optional<Duration> duration;  // empty: infinity
  if (text != "infinity" && text != "inf") {
    Result<Duration> d = ParseDuration(text);
    if (!d.ok()) return Fail(Error::Usage(d.error().message));
    duration = *d;
  }

  const SignalState inherited = CurrentSignalState();
  Result<StopSignals> stop = StopSignals::Open(inherited);
  if (!stop.ok()) return Fail(stop.error());
  const auto start = StopSignals::Clock::now();
  std::optional<StopSignals::Clock::time_point> deadline;
  if (duration) deadline = DeadlineAfter(start, *duration);
  const std::string length = duration ? FormatDuration(*duration) : "infinity";
  std::optional<TrafficWatch> watch;
  if (const IdleOptions& idle = invocation.options.idle; idle.idle) {
    Result<TrafficWatch> started =
        TrafficWatch::Start(idle, start, deadline.value_or(StopSignals::Clock::time_point::max()));
    if (started.ok()) {
      watch.emplace(std::move(*started));
      LogInfo("sleeping up to {} {}", length, watch->Watching());
    } else {
      LogInfo("cannot watch the traffic ({}), waiting the full {}", started.error(), length);
    }
  } else {
    LogInfo("sleeping {}", length);
  }

  // Without a watch, one wait to the deadline; with one, a step of the watch and a wait until the
  // next.
  while (true) {
    if (watch) {
      if (std::optional<TrafficWatch::Verdict> verdict = watch->Step(StopSignals::Clock::now());
          verdict && *verdict != TrafficWatch::Verdict::kBusy) {
        LogInfo("{}", watch->EndReason(*verdict));
        break;
      }
    }
    Result<int> sig =
        watch ? stop->WaitUntil(watch->NextStep(), watch->fd()) : stop->WaitUntil(deadline);
    if (!sig.ok()) return Fail(sig.error());
    if (*sig > 0) return StoppedBySignal(*sig, start);
    if (!watch) break;
  }
  if (parsed.command.empty()) return kExitSuccess;
  return ExecCommand(parsed.command, inherited, *stop, start);
}

}  // namespace linger
