#include "spawn.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "exit_status.h"
#include "fd.h"
#include "log.h"
#include "outcome.h"
#include "text.h"

extern char** environ;

namespace linger {
namespace {

Error ExecError(const char* name, int err) {
  return Error::Exec(fmt::format("cannot run '{}'", Printable(name)), err);
}

bool IsExecutableFile(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

Result<std::string> FindCommand(const char* name) {
  std::string_view command = name;
  if (command.empty()) return ExecError(name, ENOENT);
  if (command.find('/') != std::string_view::npos) return std::string(command);
  // The C libraries' default when PATH is unset, as execvp uses it.
  const char* path = std::getenv("PATH");
  int err = ENOENT;
  for (std::string_view dir : Split(path != nullptr ? path : "/usr/local/bin:/bin:/usr/bin", ':')) {
    // An empty entry is the current directory.
    std::string candidate = dir.empty() ? std::string(command) : fmt::format("{}/{}", dir, command);
    if (IsExecutableFile(candidate)) return candidate;
    // Found but not executable is remembered, and the search goes on, as execvp does.
    if (access(candidate.c_str(), F_OK) == 0) err = EACCES;
  }
  return ExecError(name, err);
}

int ExecCommand(std::span<char* const> command, const SignalState& inherited,
                const StopSignals& stop, std::chrono::steady_clock::time_point start) {
  Result<std::string> path = FindCommand(command[0]);
  if (!path.ok()) return Fail(path.error());
  if (int sig = stop.Take()) return StoppedBySignal(sig, start);
  if (Result<void> armed = stop.ExitOnDelivery(); !armed.ok()) return Fail(armed.error());
  if (!RestoreSignalState(inherited)) {
    return Fail(Error::Exec("cannot restore the signal state", errno));
  }
  execve(path->c_str(), command.data(), environ);
  return Fail(ExecError(command[0], errno));
}

Result<pid_t> SpawnCommand(std::span<char* const> command, const SignalState& inherited,
                           bool new_group) {
  // Resolved before fork: between fork and exec only async-signal-safe calls may run, and the PATH
  // search allocates.
  Result<std::string> path = FindCommand(command[0]);
  if (!path.ok()) return path.error();
  // A background job must not take the terminal from the shell's foreground job.
  bool foreground = new_group && tcgetpgrp(STDIN_FILENO) == getpgrp();
  // The child reports a failed exec through this pipe; a successful exec closes it (O_CLOEXEC), so
  // the parent reads either an errno or end-of-file, and knows which without guessing from the
  // exit status (the command itself may well exit 127).
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error::System("pipe2", errno);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  pid_t pid = fork();
  if (pid < 0) return Error::System("fork", errno);
  if (pid == 0) {
    // Between fork and exec only async-signal-safe calls: no allocation, no logging.
    if (new_group && setpgid(0, 0) == 0 && foreground) {
      // SIGTTOU is blocked, so handing over the terminal does not stop the child (tcsetpgrp(3)).
      (void)tcsetpgrp(STDIN_FILENO, getpid());
    }
    if (RestoreSignalState(inherited)) execve(path->c_str(), command.data(), environ);
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
  if (n <= 0) return pid;
  // Reap the failed child at once: no child is left behind.
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  return ExecError(command[0], err);
}

}  // namespace linger
