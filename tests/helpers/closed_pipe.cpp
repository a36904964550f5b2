// Runs COMMAND with its stderr on a pipe that nobody reads any more, as in `COMMAND 2>&1 | true`
// once true has exited: every write to stderr fails with EPIPE and raises SIGPIPE.
//
// Usage: closed_pipe COMMAND [ARG...]
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: closed_pipe COMMAND [ARG...]\n", stderr);
    return 2;
  }
  int fds[2];
  if (pipe(fds) != 0 || close(fds[0]) != 0 || dup2(fds[1], STDERR_FILENO) < 0) {
    std::perror("closed_pipe");
    return 1;
  }
  close(fds[1]);
  execv(argv[1], argv + 1);
  return 127;  // stderr is gone: the status is the only report left
}
