// What one --until-idle look costs: opens N loopback connections to a listener (and accepts them;
// a child holds the client ends),
// then times TrafficWatch::Look, the dump of both families plus /proc/net/snmp, with the serving
// port given (the kernel filters) and found by default. Usage: look_cost N [LOOKS]
// Prints one line per mode: the ports, the median and longest wall time of a look, and its mean
// CPU time (user and system).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fd.h"
#include "socket_headers.h"
#include "traffic.h"

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

void Measure(const char* mode, linger::IdleOptions options, int looks) {
  auto start = std::chrono::steady_clock::now();
  auto watch = linger::TrafficWatch::Start(options, start, start + std::chrono::hours(1));
  if (!watch.ok()) {
    std::fprintf(stderr, "look_cost: %s\n", watch.error().message.c_str());
    std::exit(1);
  }
  std::vector<long long> micros;
  const Cpu cpu_before = CpuMicros();
  for (int i = 0; i < looks; ++i) {
    auto before = std::chrono::steady_clock::now();
    (void)(*watch).Look();
    auto took = std::chrono::steady_clock::now() - before;
    micros.push_back(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  }
  const Cpu cpu_after = CpuMicros();
  const long long user = (cpu_after.user - cpu_before.user) / looks;
  const long long system = (cpu_after.system - cpu_before.system) / looks;
  std::sort(micros.begin(), micros.end());
  std::printf("%s: ports %s, median %lld us, max %lld us, CPU per look %lld us (user %lld)\n", mode,
              linger::FormatPorts(watch->ports()).c_str(), micros[micros.size() / 2], micros.back(),
              user + system, user);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: look_cost N [LOOKS]\n");
    return 2;
  }
  const int count = std::atoi(argv[1]);
  const int looks = argc > 2 ? std::atoi(argv[2]) : 21;
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
  Measure("ports given", options, looks);
  // A loopback listener is not a serving port by default: this mode finds none unless another
  // program listens beyond loopback, and then measures the filter that skips all of these.
  options.ports.reset();
  Measure("ports found", options, looks);
  kill(clients, SIGKILL);
  waitpid(clients, nullptr, 0);
  return 0;
}
