// linger wait-http: waits for an HTTP endpoint (initContainers, preStop drains), then exits or
// execs COMMAND.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "duration.h"
#include "exit_status.h"
#include "http.h"
#include "log.h"
#include "net.h"
#include "signals.h"
#include "spawn.h"
#include "url.h"

namespace linger {

const std::string_view kWaitHttpHelp =
    R"(Usage: linger wait-http [OPTIONS] URL [-- COMMAND [ARG...]]

Poll URL (http://HOST[:PORT][/PATH][?QUERY]) until one attempt succeeds, then
exit 0, or replace linger with COMMAND (same pid, environment and inherited
signal state). Gives up with status 1 after --timeout.

HOST is a name, an IPv4 address or [IPv6]. A name is resolved again on every
attempt, through /etc/hosts, then DNS as /etc/resolv.conf says (also in an
empty root filesystem); every address is tried in turn. Resolving, too, is
bounded by --request-timeout and the overall deadline: nothing blocks past
them. https is not supported (no TLS).

Options:
  --timeout D           give up after D (default 30s; 0 waits forever)
  --interval D          pause after a failed attempt (default 1s)
  --request-timeout D   limit for one attempt: resolve, connect, send, read
                        (default 5s; never past --timeout; 0: no own limit)
  --status LIST         accepted status codes (default 200-399, as Kubernetes
                        httpGet probes): 200, 200-299,404
  --method M            request method (default GET)
  --header 'N: V'       extra request header, repeatable; may replace Host or
                        User-Agent
  --body-contains TEXT  also require TEXT in the first 1 MiB of the body
  --quiet               no progress lines (the final failure still prints)
  --log PATH            append linger's lines to PATH instead of stderr
  -h, --help            show this help

Durations: 20 (seconds), 1.5, 500ms, 20s, 1m30s, 2h.
Exit status: 0 ready, 1 timed out, 2 usage error, 128+N stopped by signal N
(SIGTERM, SIGINT, SIGHUP); with COMMAND, 126/127 when it cannot run.

Example (initContainer waiting for a dependency):
  command: ["/linger", "wait-http", "--timeout", "5m", "http://db:8080/ready"]
)";

namespace {

constexpr OptionSpec kOptions[] = {
    {"timeout", true}, {"interval", true}, {"request-timeout", true}, {"status", true},
    {"method", true},  {"header", true},   {"body-contains", true},
};

// The command line, checked: usage errors surface before anything starts.
struct Options {
  std::string url_text;
  Probe probe;
  Duration timeout = std::chrono::seconds(30);
  Duration interval = std::chrono::seconds(1);
  Duration request_timeout = std::chrono::seconds(5);
};

Result<Options> CheckOptions(const ParsedArgs& parsed) {
  if (parsed.positionals.size() != 1) {
    if (parsed.positionals.empty()) return Error{"missing URL (try 'linger wait-http --help')"};
    return Error{
        fmt::format("unexpected argument '{}' (COMMAND goes after '--')", parsed.positionals[1])};
  }
  Options options;
  options.url_text = parsed.positionals[0];
  Result<Url> url = ParseUrl(options.url_text);
  if (!url.ok()) return Error{url.error()};
  options.probe.url = *url;
  Result<IntList> statuses = IntList::Parse("200-399", 100, 599, "status list");
  std::string_view method = "GET";
  std::vector<HttpHeader> headers;
  for (const Option& option : parsed.options) {
    Duration* duration = option.name == "timeout"           ? &options.timeout
                         : option.name == "interval"        ? &options.interval
                         : option.name == "request-timeout" ? &options.request_timeout
                                                            : nullptr;
    if (duration != nullptr) {
      Result<Duration> value = ParseDuration(option.value);
      if (!value.ok()) return Error{fmt::format("--{}: {}", option.name, value.error())};
      *duration = *value;
    } else if (option.name == "status") {
      statuses = IntList::Parse(option.value, 100, 599, "status list");
      if (!statuses.ok()) return Error{statuses.error()};
    } else if (option.name == "method") {
      if (!IsValidMethod(option.value)) {
        return Error{fmt::format("invalid method '{}'", Printable(option.value))};
      }
      method = option.value;
    } else if (option.name == "header") {
      Result<HttpHeader> header = ParseHeaderOption(option.value);
      if (!header.ok()) return Error{header.error()};
      headers.push_back(*header);
    } else {  // body-contains
      options.probe.body_contains = option.value;
    }
  }
  options.probe.statuses = *statuses;
  options.probe.head_request = method == "HEAD";
  options.probe.request = BuildRequest(method, *url, headers);
  return options;
}

}  // namespace

int RunWaitHttp(std::span<char* const> args) {
  Invocation invocation =
      StartCommand("wait-http", kWaitHttpHelp, args, kOptions, OptionOrder::kInterleaved);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  Result<Options> options = CheckOptions(parsed);
  if (!options.ok()) {
    LogError("wait-http: {}", options.error());
    return kExitUsage;
  }

  const SignalState inherited = CurrentSignalState();
  Result<StopSignals> stop = StopSignals::Open(inherited);
  if (!stop.ok()) {
    LogError("wait-http: {}", stop.error());
    return kExitFailure;
  }
  using Clock = StopSignals::Clock;
  const auto start = Clock::now();
  // Forever is a deadline that never comes, which keeps every comparison below simple.
  const auto deadline = options->timeout > Duration::zero() ? DeadlineAfter(start, options->timeout)
                                                            : Clock::time_point::max();
  LogInfo("waiting for {} (timeout {}, every {})", options->url_text,
          options->timeout > Duration::zero() ? FormatDuration(options->timeout) : "none",
          FormatDuration(options->interval));

  std::string last_failure;
  Resolver resolver;
  int sig = 0;
  while (true) {
    auto attempt_deadline = deadline;
    if (options->request_timeout > Duration::zero()) {
      attempt_deadline = std::min(deadline, DeadlineAfter(Clock::now(), options->request_timeout));
    }
    AttemptResult result = RunAttempt(options->probe, resolver, attempt_deadline, stop->fd());
    if (result.kind == AttemptResult::kStopped) {
      sig = stop->Take();
      break;
    }
    if (result.kind == AttemptResult::kReady) {
      LogInfo("{} is ready after {}: {}", options->url_text, FormatSince(start), result.detail);
      if (parsed.command.empty()) return kExitSuccess;
      return ExecCommand(parsed.command, inherited);
    }
    // An attempt that the overall deadline cut short says only that time ran out: the reason
    // before it is the one worth reporting.
    bool cut_short = attempt_deadline == deadline && Clock::now() >= deadline;
    // One line per change of reason, not one per attempt: a long wait stays readable.
    if (result.detail != last_failure && !(cut_short && !last_failure.empty())) {
      LogInfo("not ready: {}", result.detail);
      last_failure = result.detail;
    }
    sig = stop->WaitUntil(std::min(deadline, DeadlineAfter(Clock::now(), options->interval)));
    if (sig < 0) {
      LogError("wait-http: ppoll: {}", std::strerror(errno));
      return kExitFailure;
    }
    if (sig > 0) break;
    if (Clock::now() >= deadline) {
      LogError("gave up on {} after {}: {}", options->url_text, FormatSince(start), last_failure);
      return kExitFailure;
    }
  }
  return StoppedBySignal(sig, start);
}

}  // namespace linger
