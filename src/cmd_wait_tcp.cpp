// linger wait-tcp: waits until a TCP port accepts connections (a database, a cache, a broker), then
// exits or execs COMMAND.
#include <fmt/format.h>

#include "cli.h"
#include "commands.h"
#include "exit_status.h"
#include "log.h"
#include "net.h"
#include "url.h"
#include "wait_loop.h"

namespace linger {

const std::string_view kWaitTcpHelp =
    R"(Usage: linger wait-tcp [OPTIONS] HOST:PORT [-- COMMAND [ARG...]]

Try to connect to HOST:PORT until a connection succeeds, then exit 0, or
replace linger with COMMAND (same pid, environment and inherited signal
state). Gives up with status 1 after --timeout. The connection is closed at
once, without sending a byte: the server sees a client that leaves.

HOST is a name, an IPv4 address or [IPv6] (as in [::1]:5432). A name is
resolved again on every attempt, through /etc/hosts, then DNS as
/etc/resolv.conf says (also in an empty root filesystem); every address is
tried in turn.

Options:
  --timeout D           give up after D (default 30s; 0 waits forever)
  --interval D          pause after a failed attempt (default 1s)
  --request-timeout D   limit for one attempt: resolve and connect
                        (default 5s; never past --timeout; 0: no own limit)
  --quiet               no progress lines (the final failure still prints)
  --log PATH            append linger's lines to PATH instead of stderr
  -h, --help            show this help

Durations: 20 (seconds), 1.5, 500ms, 20s, 1m30s, 2h.
Exit status: 0 connected, 1 timed out, 2 usage error, 128+N stopped by signal
N (SIGTERM, SIGINT, SIGHUP); with COMMAND, 126/127 when it cannot run.

Example (initContainer waiting for a database):
  command: ["/linger", "wait-tcp", "--timeout", "2m", "postgres:5432"]
)";

int RunWaitTcp(std::span<char* const> args) {
  Invocation invocation =
      StartCommand("wait-tcp", kWaitTcpHelp, args, kWaitTimingOptions, OptionOrder::kInterleaved);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  auto usage_error = [](std::string_view why) {
    LogError("wait-tcp: {}", why);
    return kExitUsage;
  };
  if (parsed.positionals.size() != 1) {
    if (parsed.positionals.empty()) {
      return usage_error("missing HOST:PORT (try 'linger wait-tcp --help')");
    }
    return usage_error(
        fmt::format("unexpected argument '{}' (COMMAND goes after '--')", parsed.positionals[1]));
  }
  std::string_view target = parsed.positionals[0];
  Result<Endpoint> endpoint = ParseHostPort(target, std::nullopt);
  if (!endpoint.ok()) {
    return usage_error(
        fmt::format("invalid address '{}': {}", Printable(target), endpoint.error()));
  }
  WaitTiming timing;
  for (const Option& option : parsed.options) {
    // Every option of the table is a timing option.
    Result<bool> applied = ApplyWaitTiming(option, timing);
    if (!applied.ok()) return usage_error(applied.error());
  }
  return RunWaitLoop(
      "wait-tcp", Printable(target), timing,
      [&](auto deadline, int stop_fd) {
        return RunConnectAttempt(endpoint->host, endpoint->port, deadline, stop_fd);
      },
      parsed.command);
}

}  // namespace linger
