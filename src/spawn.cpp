#include "spawn.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "exit_status.h"
#include "fd.h"
#include "log.h"

namespace linger {
namespace {

int ReportExecError(const char* name, int err) {
  LogError("cannot run '{}': {}", name, std::strerror(err));
  return ExitStatusForExecError(err);
}

}  // namespace

int ExecCommand(std::span<char* const> command, const SignalState& inherited) {
  if (!RestoreSignalState(inherited)) {
    LogError("cannot restore the signal state: {}", std::strerror(errno));
    return kExitCannotExecute;
  }
  execvp(command[0], command.data());
  return ReportExecError(command[0], errno);
}

Spawned SpawnCommand(std::span<char* const> command, const SignalState& inherited, bool new_group) {
  // The child reports a failed exec through this pipe; a successful exec closes it (O_CLOEXEC), so
  // the parent reads either an errno or end-of-file, and knows which without guessing from the
  // exit status (the command itself may well exit 127).
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    LogError("pipe2: {}", std::strerror(errno));
    return {.pid = -1, .failure = kExitFailure};
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  pid_t pid = fork();
  if (pid < 0) {
    LogError("fork: {}", std::strerror(errno));
    return {.pid = -1, .failure = kExitFailure};
  }
  if (pid == 0) {
    // Between fork and exec only async-signal-safe calls: no allocation, no logging.
    if (new_group && setpgid(0, 0) == 0) {
      // With no terminal this fails with ENOTTY or ENXIO, which is fine: there is nothing to hand
      // over. SIGTTOU is blocked, so a background caller is not stopped by it (tcsetpgrp(3)).
      (void)tcsetpgrp(STDIN_FILENO, getpid());
    }
    if (RestoreSignalState(inherited)) execvp(command[0], command.data());
    int err = errno;
    ssize_t unused = write(write_end.get(), &err, sizeof err);
    (void)unused;  // nothing more a child that cannot exec can do
    _exit(ExitStatusForExecError(err));
  }
  write_end.Reset();
  int err = 0;
  ssize_t n;
  do {
    n = read(read_end.get(), &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return {.pid = pid, .failure = 0};
  // Reap the failed child at once: a COMMAND that cannot run leaves no child behind.
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  return {.pid = -1, .failure = ReportExecError(command[0], err)};
}

}  // namespace linger
