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
#include "traffic.h"

namespace linger {

const std::string_view kSleepHelp = R"(Usage: linger sleep [OPTIONS] DURATION [-- COMMAND [ARG...]]

Wait DURATION on the monotonic clock, then exit 0, or replace linger with
COMMAND (same pid, environment and inherited signal state).

DURATION is a number of seconds (20, 1.5) or Go-style (500ms, 20s, 1m30s, 2h;
units ns us ms s m h), 0, or infinity.

SIGTERM, SIGINT and SIGHUP end the wait at once with status 128+N, also when
linger is PID 1. Signals inherited as ignored stay ignored.

Options:
  --until-idle D      end early once the serving ports have received nothing
                      for D (never before D; DURATION is the longest wait)
  --ports LIST        the serving ports, e.g. 8080,8443 (default: every
                      listening TCP port not bound only to loopback)
  --ignore-from LIST  peers whose traffic does not count, as addresses or
                      CIDRs, e.g. 10.0.3.17,10.0.0.0/24,fd00::/64
  --quiet       no informational lines (errors still print)
  --log PATH    append linger's lines to PATH instead of stderr
                (--log /proc/1/fd/2 shows a preStop hook's lines in kubectl logs)
  -h, --help    show this help

Example (Kubernetes preStop exec hook):
  lifecycle: {preStop: {exec: {command: ["/linger", "sleep", "20s"]}}}
)";

namespace {

constexpr OptionSpec kSleepSpecs[] = {{"until-idle", true}, {"ports", true}, {"ignore-from", true}};

}  // namespace

int RunSleep(std::span<char* const> args) {
  Invocation invocation =
      StartCommand("sleep", kSleepHelp, args, kSleepSpecs, OptionOrder::kInterleaved);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  IdleOptions idle;
  for (const Option& option : parsed.options) {
    if (std::optional<Error> error = ApplyIdleOption(idle, option.name, option.value)) {
      LogError("sleep: --{}: {}", option.name, error->message);
      return kExitUsage;
    }
  }
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
  const std::string length = duration ? FormatDuration(*duration) : "infinity";
  std::optional<TrafficWatch> watch;
  if (idle.idle) {
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

  while (true) {
    if (watch) {
      TrafficWatch::Verdict verdict = watch->Look();
      if (verdict != TrafficWatch::Verdict::kBusy) {
        LogInfo("{}", watch->EndReason(verdict));
        break;
      }
    }
    int sig = stop->WaitUntil(watch ? std::optional(watch->NextLook(StopSignals::Clock::now()))
                                    : deadline);
    if (sig < 0) {
      LogError("sleep: ppoll: {}", std::strerror(errno));
      return kExitFailure;
    }
    if (sig > 0) return StoppedBySignal(sig, start);
    if (!watch) break;
  }
  if (parsed.command.empty()) return kExitSuccess;
  return ExecCommand(parsed.command, inherited);
}

}  // namespace linger
