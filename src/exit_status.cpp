#include "exit_status.h"

#include <sys/wait.h>

#include <cerrno>

namespace linger {

int ExitStatusForExecError(int err) {
  // ENOTDIR: a path component is a file, so the command does not exist either (bash does the same).
  return err == ENOENT || err == ENOTDIR ? kExitNotFound : kExitCannotExecute;
}

int ExitStatusFor(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kUsage:
      return kExitUsage;
    case ErrorKind::kStopped:
      return kExitSignalBase + error.code;
    case ErrorKind::kExec:
      return ExitStatusForExecError(error.code);
    default:
      return kExitFailure;
  }
}

int ExitStatusFromWait(int wait_status) {
  if (WIFSIGNALED(wait_status)) return kExitSignalBase + WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

}  // namespace linger
