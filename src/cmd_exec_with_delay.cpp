// linger exec-with-delay: the entrypoint wrapper that holds the stop signal back while the load
// balancer lets go, and a correct PID 1.
#include <fmt/format.h>

#include <cstdlib>

#include "cli.h"
#include "commands.h"
#include "exec_options.h"
#include "exit_status.h"
#include "log.h"
#include "supervisor.h"

namespace linger {

const std::string_view kExecWithDelayHelp =
    R"(Usage: linger exec-with-delay [OPTIONS] [--] COMMAND [ARG...]

Run COMMAND as a child and stay its parent (typically PID 1 of a container).
The first stop signal is held back for a while, so that COMMAND keeps serving
while the load balancer stops sending traffic; then COMMAND gets it. Every
other signal is forwarded at once. linger exits with COMMAND's exit status,
or 128+N if a signal N killed it; 127/126 if COMMAND is missing or cannot run.
The first word that is not an option starts COMMAND.

Options (environment fallback in brackets; flags win):
  --delay D            how long COMMAND keeps running after the stop signal
                       [LINGER_DELAY] (default 20s)
  --delay-on LIST      signals to hold back, e.g. TERM or QUIT,TERM
                       [LINGER_DELAY_ON] (default TERM)
  --signal SIG         what COMMAND gets when the delay ends, e.g. QUIT
                       [LINGER_SIGNAL] (default: the signal received)
  --kill-after D       SIGKILL COMMAND if it still runs D after its stop signal
                       [LINGER_KILL_AFTER] (default: never)
  --success-exit LIST  exit statuses reported as 0, e.g. 143 or 130,143
                       [LINGER_SUCCESS_EXIT]
  --group              signal COMMAND's whole process group (COMMAND leads a
                       new group and takes the terminal)
  --until-idle D       end the delay early once the serving ports have received
                       nothing for D (never before D) [LINGER_UNTIL_IDLE]
  --ports LIST         the serving ports, e.g. 8080,8443 [LINGER_PORTS]
                       (default: every listening TCP port not bound only to
                       loopback)
  --ignore-from LIST   peers whose traffic does not count, as addresses or CIDRs,
                       e.g. the node's IP, where probes come from
                       [LINGER_IGNORE_FROM]
  --quiet              no informational lines (errors still print)
  --log PATH           append linger's lines to PATH instead of stderr
  -h, --help           show this help

A second held-back signal ends the delay at once. Keep delay plus COMMAND's
own shutdown time below the pod's terminationGracePeriodSeconds.

Example (Kubernetes container):
  command: ["/linger", "exec-with-delay", "--delay", "20s", "--", "/app"]
)";

int RunExecWithDelay(std::span<char* const> args) {
  Invocation invocation = StartCommand("exec-with-delay", kExecWithDelayHelp, args,
                                       ExecOptionSpecs(), OptionOrder::kUntilCommand);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  Result<ExecOptions> options =
      ResolveExecOptions(parsed.options, [](const char* name) { return std::getenv(name); });
  if (!options.ok()) {
    LogError("exec-with-delay: {}", options.error());
    return kExitUsage;
  }
  if (parsed.command.empty()) {
    LogError("exec-with-delay: missing COMMAND (try 'linger exec-with-delay --help')");
    return kExitUsage;
  }
  return Supervise(parsed.command, *options);
}

}  // namespace linger
