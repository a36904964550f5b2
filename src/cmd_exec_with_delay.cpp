// linger exec-with-delay: the entrypoint wrapper that holds the stop signal back while the load
// balancer lets go, and a correct PID 1.
#include "cli.h"
#include "command_line.h"
#include "commands.h"
#include "exec_option_rows.h"
#include "supervisor.h"

namespace linger {
namespace {

constexpr CommandDoc kExecWithDelay = {
    .name = "exec-with-delay",
    .synopsis = "[OPTIONS] [--] COMMAND [ARG...]",
    .about = R"(Run COMMAND as a child and stay its parent (typically PID 1 of a container).
The first stop signal is held back for a while, so that COMMAND keeps serving
while the load balancer stops sending traffic; then COMMAND gets it. Every
other signal is forwarded at once. linger exits with COMMAND's exit status,
or 128+N if a signal N killed it; 127/126 if COMMAND is missing or cannot run.
The first word that is not an option starts COMMAND.
)",
    .footer = R"(A second held-back signal ends the delay at once. Keep delay plus COMMAND's
own shutdown time below the pod's terminationGracePeriodSeconds.

Example (Kubernetes container):
  command: ["/linger", "exec-with-delay", "--delay", "20s", "--", "/app"]
)",
    .order = OptionOrder::kUntilCommand,
    .operand = "",
    .command = CommandArg::kRequired,
};

}  // namespace

int RunExecWithDelay(std::span<char* const> args) {
  Invocation invocation = StartCommand<ExecOptions>(kExecWithDelay, ExecOptionRows(), args);
  if (!invocation.args) return invocation.exit_status;
  if (Result<void> checked = CheckExecOptions(invocation.options); !checked.ok()) {
    return Fail(checked.error());
  }
  return Supervise(invocation.args->command, invocation.options);
}

}  // namespace linger
