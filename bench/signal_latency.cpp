// How long a wrapper (linger exec-with-delay, tini, catatonit) takes to pass SIGTERM on to its
// child. Usage: signal_latency [--held] RUNS SIGNAL_LOGGER -- WRAPPER [ARG...]
// Each run starts "WRAPPER ARG... SIGNAL_LOGGER 15" with its stdout on a pipe. The test helper
// signal_logger says "ready PID", then prints "PID 15 NS" with the CLOCK_MONOTONIC time at which
// sigwaitinfo hands it SIGTERM, and dies of it. The driver sends SIGTERM to the wrapper and prints
// the difference in microseconds, one line per run: the forwarding latency, or with --delay D the
// observed delay. With --held, one wrapper that holds SIGTERM back, and RUNS samples of SIGUSR1
// forwarded during its delay (see RunHeld).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kLineTimeoutMs = 120'000;  // longer than the longest delay measured (20 s)

void Pause(long ns) {
  timespec pause{ns / 1'000'000'000, ns % 1'000'000'000};
  while (nanosleep(&pause, &pause) != 0) {
  }
}

long long NowNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1'000'000'000LL + now.tv_nsec;
}

// Ends the measurement; `what` names the failed call (then errno says why) or the problem.
[[noreturn]] void Die(const char* what, bool system_call = true) {
  std::fprintf(stderr, "signal_latency: %s%s%s\n", what, system_call ? ": " : "",
               system_call ? std::strerror(errno) : "");
  std::exit(1);
}

// Reads one line from `fd`, waiting at most kLineTimeoutMs.
std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, kLineTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) Die("poll");
    if (ready == 0) Die("no line from the child in time", false);
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Die("read");
    if (n == 0) Die("the child's output ended early (is the wrapper there?)", false);
    if (c == '\n') return line;
    line += c;
  }
}

// Starts the wrapper with its stdout on a pipe, returns its pid and the pipe's reading end once
// the child said it is ready.
pid_t Start(std::vector<char*>& argv, int* out_fd) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) Die("pipe2");
  pid_t wrapper = fork();
  if (wrapper < 0) Die("fork");
  if (wrapper == 0) {
    dup2(out[1], STDOUT_FILENO);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  if (!ReadLine(out[0]).starts_with("ready ")) Die("the child did not say ready", false);
  *out_fd = out[0];
  return wrapper;
}

// Sends `sig` to the wrapper and prints how long the child took to get it, in microseconds.
void Measure(pid_t wrapper, int out, int sig) {
  long long sent = NowNs();
  if (kill(wrapper, sig) != 0) Die("kill");
  long long pid, got, received;
  if (std::sscanf(ReadLine(out).c_str(), "%lld %lld %lld", &pid, &got, &received) != 3 ||
      got != sig) {
    Die("the child's line is not 'PID SIGNO NS' for the signal sent", false);
  }
  std::printf("%.1f\n", static_cast<double>(received - sent) / 1000.0);
}

void Finish(pid_t wrapper, int out) {
  close(out);
  int status;
  while (waitpid(wrapper, &status, 0) < 0) {
    if (errno != EINTR) Die("waitpid");
  }
}

void RunOnce(std::vector<char*>& argv) {
  int out;
  pid_t wrapper = Start(argv, &out);
  Measure(wrapper, out, SIGTERM);
  Finish(wrapper, out);
}

// One wrapper that holds SIGTERM back (exec-with-delay): SIGUSR1 forwarding during the delay,
// each sent at a random moment up to 5 ms after the last arrived, so that the samples fall
// anywhere in what the wrapper does meanwhile (the looks of --until-idle). A second SIGTERM ends
// the delay.
void RunHeld(std::vector<char*>& argv, int runs) {
  int out;
  pid_t wrapper = Start(argv, &out);
  if (kill(wrapper, SIGTERM) != 0) Die("kill");
  Pause(500'000'000);  // the delay and its watch start
  for (int i = 0; i < runs; ++i) {
    Pause(std::rand() % 5'000'000);
    Measure(wrapper, out, SIGUSR1);
  }
  if (kill(wrapper, SIGTERM) != 0) Die("kill");
  Finish(wrapper, out);
}

}  // namespace

int main(int argc, char** argv) {
  const bool held = argc > 1 && std::strcmp(argv[1], "--held") == 0;
  if (held) {
    --argc;
    ++argv;
  }
  if (argc < 5 || std::strcmp(argv[3], "--") != 0) {
    std::fprintf(stderr, "usage: signal_latency [--held] RUNS SIGNAL_LOGGER -- WRAPPER [ARG...]\n");
    return 2;
  }
  int runs = std::atoi(argv[1]);
  std::vector<char*> wrapped(argv + 4, argv + argc);
  char sigterm[] = "15";
  wrapped.push_back(argv[2]);
  wrapped.push_back(sigterm);
  wrapped.push_back(nullptr);
  if (held) {
    RunHeld(wrapped, runs);
  } else {
    for (int i = 0; i < runs; ++i) RunOnce(wrapped);
  }
  return 0;
}
