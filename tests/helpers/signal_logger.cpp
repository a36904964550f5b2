// Logs every signal it receives on stdout, one line each: "PID SIGNO MONOTONIC_NS". First prints
// "ready PID" once it listens.
//
// Usage: signal_logger [fork] [SIGNO...]
//   fork   first starts a copy of itself in the same process group, which logs the same way and
//          dies with its parent (for --group tests)
//   SIGNO  after logging this signal, die of it, as a program with the default action would
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void Print(const char* line) {
  // One write(2) per line, so that the parent and the copy never interleave within a line.
  if (write(STDOUT_FILENO, line, std::strlen(line)) < 0) std::exit(1);
}

[[noreturn]] void DieOf(int sig) {
  signal(sig, SIG_DFL);
  kill(getpid(), sig);
  sigset_t just;
  sigemptyset(&just);
  sigaddset(&just, sig);
  sigprocmask(SIG_UNBLOCK, &just, nullptr);
  std::_Exit(128 + sig);  // not reached for a signal whose default action is to terminate
}

}  // namespace

int main(int argc, char** argv) {
  // Blocked signals wait for sigwaitinfo: every signal is seen, none stops or kills this process
  // behind the log's back (TSTP, TTIN, TTOU, CONT included).
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  bool exit_on[NSIG] = {};
  bool make_copy = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "fork") == 0) {
      make_copy = true;
    } else if (int sig = std::atoi(argv[i]); sig > 0 && sig < NSIG) {
      exit_on[sig] = true;
    }
  }
  if (make_copy) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) return 0;
    }
  }
  char line[96];
  std::snprintf(line, sizeof line, "ready %d\n", static_cast<int>(getpid()));
  Print(line);
  while (true) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    std::snprintf(line, sizeof line, "%d %d %lld\n", static_cast<int>(getpid()), sig,
                  static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec);
    Print(line);
    if (exit_on[sig]) DieOf(sig);
  }
}
