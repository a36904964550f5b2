#include "exit_status.h"

#include <sys/wait.h>

#include <cerrno>

namespace linger {

int ExitStatusForExecError(int err) {
  // ENOTDIR: a path component is a file, so the command does not exist either (bash does the same).
  return err == ENOENT || err == ENOTDIR ? kExitNotFound : kExitCannotExecute;
}

int ExitStatusFromWait(int wait_status) {
  if (WIFSIGNALED(wait_status)) return kExitSignalBase + WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

}  // namespace linger
