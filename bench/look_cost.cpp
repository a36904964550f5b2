// What one --until-idle look costs: opens N loopback connections to a listener (and accepts them;
// a child holds the client ends), then times TrafficWatch's looks with the serving port given (the
// kernel filters the dump). "quiet": nothing arrives, so the looks after the first read only the
// TCP counters. "busy": one byte reaches a client before each look, so every look dumps the socket
// table. Usage: look_cost N [LOOKS], N >= 1
// Prints one line per mode: the median and longest wall time of a look, and its mean CPU time
// (user and system; in busy mode it includes the one-byte send).
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "fd.h"
#include "socket_headers.h"
// After socket_headers.h, which keeps <sys/socket.h> from colliding with namespace linger.
#include <netinet/tcp.h>

#include "traffic.h"
#include "wait_for.h"

namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "look_cost: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

// User and system CPU time of this process so far: on a busy machine the wall time of a look says
// more about the other processes than about the look.
struct Cpu {
  long long user, system;
};
Cpu CpuMicros() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) Die("getrusage");
  auto micros = [](const timeval& t) { return t.tv_sec * 1'000'000LL + t.tv_usec; };
  return {micros(usage.ru_utime), micros(usage.ru_stime)};
}

void Measure(const char* mode, const linger::IdleOptions& options, int looks, int poke) {
  auto start = std::chrono::steady_clock::now();
  auto watch = linger::TrafficWatch::Start(options, start, start + std::chrono::hours(1));
  if (!watch.ok()) {
    std::printf("%s: %s\n", mode, watch.error().message.c_str());
    return;
  }
  std::vector<long long> micros;
  const Cpu cpu_before = CpuMicros();
  for (int i = 0; i < looks; ++i) {
    if (poke >= 0 && write(poke, "x", 1) != 1) Die("write");
    auto before = std::chrono::steady_clock::now();
    // Each look as soon as the last is done, as if it were due: the bench times looks, not waits.
    std::optional<linger::TrafficWatch::Verdict> verdict =
        watch->Step(std::max(before, watch->NextStep()));
    while (!verdict) {
      linger::WaitFor(watch->fd(), POLLIN, -1, watch->NextStep(), linger::Precision::kCoarse);
      verdict = watch->Step(std::chrono::steady_clock::now());
    }
    auto took = std::chrono::steady_clock::now() - before;
    micros.push_back(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  }
  const Cpu cpu_after = CpuMicros();
  const long long user = (cpu_after.user - cpu_before.user) / looks;
  const long long system = (cpu_after.system - cpu_before.system) / looks;
  std::sort(micros.begin(), micros.end());
  std::printf("%s: median %lld us, max %lld us, CPU per look %lld us (user %lld)\n", mode,
              micros[micros.size() / 2], micros.back(), user + system, user);
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 0;
  const int looks = argc > 2 ? std::atoi(argv[2]) : 21;
  if (count < 1 || looks < 1) {
    std::fprintf(stderr, "usage: look_cost N [LOOKS] (N connections and LOOKS looks, each >= 1)\n");
    return 2;
  }
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) Die("getrlimit");
  files.rlim_cur = files.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &files) != 0) Die("setrlimit");

  linger::UniqueFd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (!listener || bind(listener.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(listener.get(), 4096) != 0 ||
      getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Die("listener");
  }
  // The client ends live in a child, so that each process needs only N descriptors.
  const pid_t clients = fork();
  if (clients < 0) Die("fork");
  if (clients == 0) {
    // Gone with the parent, whichever way it ends, so that nobody waits on the output they share.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) Die("prctl");
    std::vector<linger::UniqueFd> ends;
    for (int i = 0; i < count; ++i) {
      linger::UniqueFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      if (!client || connect(client.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
        Die("connect");
      }
      ends.push_back(std::move(client));
    }
    pause();
    _exit(0);
  }
  std::vector<linger::UniqueFd> ends;
  for (int i = 0; i < count; ++i) {
    linger::UniqueFd server(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!server) Die("accept");
    ends.push_back(std::move(server));
  }
  const int port = ntohs(address.sin_port);
  std::printf("%d connections to 127.0.0.1:%d\n", count, port);

  linger::IdleOptions options;
  options.idle = std::chrono::seconds(1);
  options.ports = linger::IntList({{port, port}});
  Measure("quiet", options, looks, -1);
  // Any connection will do: a byte received anywhere in the namespace moves InSegs. Without
  // TCP_NODELAY, Nagle would hold each byte until the previous one is acknowledged.
  const int on = 1;
  if (setsockopt(ends.front().get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) {
    Die("TCP_NODELAY");
  }
  Measure("busy", options, looks, ends.front().get());
  kill(clients, SIGKILL);
  waitpid(clients, nullptr, 0);
  return 0;
}
