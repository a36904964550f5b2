// Leaves N orphans behind and exits 0: N children that exit as soon as this process is gone, so
// that whoever inherits them (PID 1 or a subreaper) must reap them. Prints "left N orphans".
//
// Usage: orphans N
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 0;
  // Every child blocks reading a pipe whose only writer is this process: when it exits, they read
  // end-of-file and exit too, whether or not they have been re-parented yet.
  int fds[2];
  if (pipe(fds) != 0) return 1;
  for (int i = 0; i < count; ++i) {
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      close(fds[1]);
      char byte;
      while (read(fds[0], &byte, 1) > 0) {
      }
      _exit(0);
    }
  }
  std::printf("left %d orphans\n", count);
  return 0;
}
