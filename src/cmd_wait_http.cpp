// linger wait-http: waits for an HTTP endpoint (initContainers, preStop drains), then exits or
// execs COMMAND.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "duration.h"
#include "http.h"
#include "log.h"
#include "net.h"
#include "signals.h"
#include "spawn.h"
#include "text.h"
#include "url.h"

namespace linger {
namespace {

constexpr CommandDoc kWaitHttp = {
    .name = "wait-http",
    .synopsis = "[OPTIONS] URL [-- COMMAND [ARG...]]",
    .about = R"(Poll URL (http://HOST[:PORT][/PATH][?QUERY]) until one attempt succeeds, then
exit 0, or replace linger with COMMAND (same pid, environment and inherited
signal state). Gives up with status 1 after --timeout.

HOST is a name, an IPv4 address or [IPv6]. A name is resolved again on every
attempt, through /etc/hosts, then DNS as /etc/resolv.conf says (also in an
empty root filesystem); every address is tried in turn. Resolving, too, is
bounded by --request-timeout and the overall deadline: nothing blocks past
them.
)",
    .footer = R"(Durations: 20 (seconds), 1.5, 500ms, 20s, 1m30s, 2h.
Exit status: 0 ready, 1 timed out, 2 usage error, 128+N stopped by signal N
(SIGTERM, SIGINT, SIGHUP); with COMMAND, 126/127 when it cannot run.

Example (initContainer waiting for a dependency):
  command: ["/linger", "wait-http", "--timeout", "5m", "http://db:8080/ready"]
)",
    .order = OptionOrder::kInterleaved,
    .operand = "URL",
    .command = CommandArg::kOptional,
};

// The command line, checked: usage errors surface before anything starts.
struct WaitHttpOptions {
  Duration timeout = std::chrono::seconds(30);
  Duration interval = std::chrono::seconds(1);
  Duration request_timeout = std::chrono::seconds(5);
  IntList statuses = *IntList::Parse("200-399", 100, 599, "status list");
  std::string method = "GET";
  std::vector<HttpHeader> headers;
  std::string body_contains;
};

constexpr OptionRow<WaitHttpOptions> kOptions[] = {
    {{"timeout", "D", nullptr, "give up after D (default 30s; 0 waits forever)"},
     SetDuration<&WaitHttpOptions::timeout>},
    {{"interval", "D", nullptr, "pause after a failed attempt (default 1s)"},
     SetDuration<&WaitHttpOptions::interval>},
    {{"request-timeout", "D", nullptr,
      "limit for one attempt: resolve, connect, send, read\n(default 5s; never past --timeout; 0: "
      "no own limit)"},
     SetDuration<&WaitHttpOptions::request_timeout>},
    {{"status", "LIST", nullptr,
      "accepted status codes (default 200-399, as Kubernetes\nhttpGet probes): 200, 200-299,404"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       Result<IntList> statuses = IntList::Parse(value, 100, 599, "status list");
       if (!statuses.ok()) return statuses.error();
       options.statuses = *statuses;
       return {};
     }},
    {{"method", "M", nullptr, "request method (default GET)"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       if (!IsValidMethod(value))
         return UsageError(fmt::format("invalid method '{}'", Printable(value)));
       options.method = value;
       return {};
     }},
    {{"header", "'N: V'", nullptr,
      "extra request header, repeatable; may replace Host or\nUser-Agent"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       Result<HttpHeader> header = ParseHeaderOption(value);
       if (!header.ok()) return header.error();
       options.headers.push_back(*header);
       return {};
     }},
    {{"body-contains", "TEXT", nullptr, "also require TEXT in the first 1 MiB of the body"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       options.body_contains = value;
       return {};
     }},
};

}  // namespace

int RunWaitHttp(std::span<char* const> args) {
  Invocation invocation = StartCommand<WaitHttpOptions>(kWaitHttp, kOptions, args);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  const WaitHttpOptions& options = invocation.options;
  std::string_view url_text = parsed.positionals[0];
  Result<Url> url = ParseUrl(url_text);
  if (!url.ok()) return Fail(url.error());
  Probe probe{.url = *url,
              .request = BuildRequest(options.method, *url, options.headers),
              .head_request = options.method == "HEAD",
              .statuses = options.statuses,
              .body_contains = options.body_contains};

  const SignalState inherited = CurrentSignalState();
  Result<StopSignals> stop = StopSignals::Open(inherited);
  if (!stop.ok()) return Fail(stop.error());
  using Clock = StopSignals::Clock;
  const auto start = Clock::now();
  // Forever is a deadline that never comes, which keeps every comparison below simple.
  const auto deadline = options.timeout > Duration::zero() ? DeadlineAfter(start, options.timeout)
                                                           : Clock::time_point::max();
  LogInfo("waiting for {} (timeout {}, every {})", Printable(url_text),
          options.timeout > Duration::zero() ? FormatDuration(options.timeout) : "none",
          FormatDuration(options.interval));

  std::string last_failure;
  Resolver resolver;
  while (true) {
    auto attempt_deadline = deadline;
    if (options.request_timeout > Duration::zero()) {
      attempt_deadline = std::min(deadline, DeadlineAfter(Clock::now(), options.request_timeout));
    }
    AttemptResult result = RunAttempt(probe, resolver, attempt_deadline, stop->fd());
    if (result.kind == AttemptResult::kStopped) break;
    if (result.kind == AttemptResult::kReady) {
      LogInfo("{} is ready after {}: {}", Printable(url_text), FormatSince(start), result.detail);
      if (parsed.command.empty()) return kExitSuccess;
      return ExecCommand(parsed.command, inherited, *stop, start);
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
        stop->WaitUntil(std::min(deadline, DeadlineAfter(Clock::now(), options.interval)));
    if (!sig.ok()) return Fail(sig.error());
    if (*sig > 0) return StoppedBySignal(*sig, start);
    if (Clock::now() >= deadline) {
      return Fail(Error{fmt::format("gave up on {} after {}: {}", Printable(url_text),
                                    FormatSince(start), last_failure)});
    }
  }
  return StoppedBySignal(stop->Take(), start);
}

}  // namespace linger
