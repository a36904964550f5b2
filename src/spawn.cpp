#include "spawn.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "exit_status.h"
#include "log.h"

namespace linger {

int ExecCommand(std::span<char* const> command, const SignalState& inherited) {
  if (!RestoreSignalMask(inherited)) {
    LogError("cannot restore the signal mask: {}", std::strerror(errno));
    return kExitCannotExecute;
  }
  execvp(command[0], command.data());
  int err = errno;
  LogError("cannot run '{}': {}", command[0], std::strerror(err));
  return ExitStatusForExecError(err);
}

}  // namespace linger
