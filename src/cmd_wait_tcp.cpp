// linger wait-tcp: waits until a TCP port accepts connections (a database, a cache, a broker), then
// exits or execs COMMAND.
#include <fmt/format.h>

#include "cli.h"
#include "command_line.h"
#include "commands.h"
#include "duration.h"
#include "net/attempts.h"
#include "net/url.h"
#include "text.h"
#include "wait_option_rows.h"
#include "wait_targets.h"

namespace linger {
namespace {

constexpr CommandDoc kWaitTcp = {
    .name = "wait-tcp",
    .synopsis = "[OPTIONS] HOST:PORT... [-- COMMAND [ARG...]]",
    .about = R"(Try to connect to HOST:PORT until a connection succeeds, then exit 0, or
replace linger with COMMAND (same pid, environment and inherited signal
state). Gives up with status 1 after --timeout. The connection is closed at
once, without sending a byte: the server sees a client that leaves. Several
HOST:PORT are waited for at the same time, each on its own schedule, until
every one has accepted once (see 'linger wait').

HOST is a name, an IPv4 address or [IPv6] (as in [::1]:5432). A name is
resolved again on every attempt, through /etc/hosts, then DNS as
/etc/resolv.conf says (also in an empty root filesystem); every address is
tried in turn.
)",
    .footer = R"(Durations: 20 (seconds), 1.5, 500ms, 20s, 1m30s, 2h.
Exit status: 0 connected, 1 timed out, 2 usage error, 128+N stopped by signal
N (SIGTERM, SIGINT, SIGHUP); with COMMAND, 126/127 when it cannot run.

Example (initContainer waiting for a database):
  command: ["/linger", "wait-tcp", "--timeout", "2m", "postgres:5432"]
)",
    .order = OptionOrder::kInterleaved,
    .operand = "HOST:PORT",
    .command = CommandArg::kOptional,
    .operand_repeats = true,
};

struct WaitTcpOptions {
  WaitTiming timing;
};

constexpr auto kOptions = WaitTimingRows<WaitTcpOptions>(
    "limit for one attempt: resolve and connect\n(default 5s; never past --timeout; 0: no own "
    "limit)");

}  // namespace

Result<WaitTarget> TcpTarget(std::string_view name, std::string_view host_port) {
  Result<Endpoint> endpoint = ParseHostPort(host_port, std::nullopt);
  if (!endpoint.ok()) {
    return Error::Invalid(
        fmt::format("invalid address '{}': {}", Printable(name), endpoint.error().message));
  }
  return WaitTarget{
      Printable(name), [endpoint = *endpoint](Resolver& resolver, auto deadline, int stop_fd) {
        return RunConnectAttempt(endpoint.host, endpoint.port, resolver, deadline, stop_fd);
      }};
}

int RunWaitTcp(std::span<char* const> args) {
  Invocation invocation = StartCommand<WaitTcpOptions>(kWaitTcp, kOptions, args);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  const WaitTcpOptions& options = invocation.options;
  std::vector<WaitTarget> targets;
  for (std::string_view text : parsed.positionals) {
    Result<WaitTarget> target = TcpTarget(text, text);
    if (!target.ok()) return Fail(Error::Usage(target.error().message));
    targets.push_back(std::move(*target));
  }
  return RunWaitTargets(targets, options.timing, parsed.command);
}

}  // namespace linger
