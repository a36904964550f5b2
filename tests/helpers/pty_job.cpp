// Runs COMMAND as a background job on a terminal, as an interactive shell runs `COMMAND &`: this
// program starts a session on a new pseudo-terminal, keeps the terminal's foreground for its own
// process group, and starts COMMAND in a process group of its own with the terminal as stdin.
// Prints "shell PGRP" first, then whatever COMMAND prints, then "foreground PGRP" with the
// terminal's foreground group once COMMAND has exited; exits with COMMAND's status.
//
// Usage: pty_job COMMAND [ARG...]
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace {

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: pty_job COMMAND [ARG...]\n", stderr);
    return 2;
  }
  // A new session has no controlling terminal; the first terminal it opens becomes it, with this
  // process's group in the foreground.
  if (setsid() < 0) Die("setsid");
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) Die("posix_openpt");
  const char* name = ptsname(master);
  if (name == nullptr) Die("ptsname");
  int terminal = open(name, O_RDWR);
  if (terminal < 0) Die(name);
  std::printf("shell %d\n", static_cast<int>(getpgrp()));
  std::fflush(stdout);
  pid_t job = fork();
  if (job < 0) Die("fork");
  if (job == 0) {
    // A background job: a group of its own, and the terminal left to the shell.
    if (setpgid(0, 0) != 0) Die("setpgid");
    if (dup2(terminal, STDIN_FILENO) < 0) Die("dup2");
    close(terminal);
    execv(argv[1], argv + 1);
    Die(argv[1]);
  }
  // Both sides set the group, so that it is set whichever runs first (as shells do).
  (void)setpgid(job, job);
  int status = 0;
  while (waitpid(job, &status, 0) < 0) {
    if (errno != EINTR) Die("waitpid");
  }
  std::printf("foreground %d\n", static_cast<int>(tcgetpgrp(terminal)));
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
