// TCP traffic of known shapes for the --until-idle tests. Addresses are numeric, IPv4 or IPv6.
//   tcp_traffic serve ADDR PORT [--no-accept | --no-read]
//       listens (port 0: an ephemeral one), prints "port N", and reads and discards whatever its
//       connections send; with --no-accept, connections stay in the accept queue; with --no-read,
//       they are accepted and what they send stays unread in their receive queues.
//   tcp_traffic send ADDR PORT [--from SRC] [--every MS] [--for MS] [--short] [--once]
//       one connection that sends a byte every MS (default 100) for MS (default: forever), then
//       stays open and silent; prints "connected" once connected and "quiet" when it stops
//       sending. With --short, a new connection per byte: connect, send, close. --from binds the
//       client to SRC first. --once sends one byte, whatever --for says. Each connect and byte is
//       logged as "traffic FROM TO": CLOCK_MONOTONIC in nanoseconds before and after it, so that
//       a test knows when the server can have seen it, even if this process was held up.
//   tcp_traffic hold ADDR PORT N
//       N connections that never send; prints "connected" once all are connected.
//   tcp_traffic netns
//       for "unshare --net": brings the new namespace's loopback interface up, prints "ready" and
//       waits to be killed, so that other programs can join the namespace with nsenter.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

// A socket address from numeric text and a port.
sockaddr_storage Address(const char* text, int port, socklen_t* length) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *length = sizeof *v4;
  } else if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *length = sizeof *v6;
  } else {
    std::fprintf(stderr, "not an address: %s\n", text);
    std::exit(2);
  }
  return storage;
}

int Serve(const char* address, int port, bool accept_them, bool read_them) {
  socklen_t length = 0;
  sockaddr_storage where = Address(address, port, &length);
  int listener = socket(where.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) Die("socket");
  int on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (where.ss_family == AF_INET6) setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (bind(listener, reinterpret_cast<sockaddr*>(&where), length) != 0) Die("bind");
  if (listen(listener, SOMAXCONN) != 0) Die("listen");
  if (getsockname(listener, reinterpret_cast<sockaddr*>(&where), &length) != 0) Die("getsockname");
  int bound =
      ntohs(where.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&where)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&where)->sin6_port);
  std::printf("port %d\n", bound);
  std::fflush(stdout);
  std::vector<pollfd> fds = {{listener, static_cast<short>(accept_them ? POLLIN : 0), 0}};
  while (true) {
    if (poll(fds.data(), fds.size(), -1) < 0) Die("poll");
    if ((fds[0].revents & POLLIN) != 0) {
      int connection = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      // Not polled without reading: it would stay readable, and poll would spin.
      if (connection >= 0 && read_them) fds.push_back({connection, POLLIN, 0});
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char buffer[4096];
      if (read(fds[i].fd, buffer, sizeof buffer) <= 0) {
        close(fds[i].fd);
        fds.erase(fds.begin() + static_cast<long>(i--));
      }
    }
  }
}

int Connect(const char* address, int port, const char* from) {
  socklen_t length = 0;
  sockaddr_storage where = Address(address, port, &length);
  int fd = socket(where.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Die("socket");
  if (from != nullptr) {
    socklen_t source_length = 0;
    sockaddr_storage source = Address(from, 0, &source_length);
    if (bind(fd, reinterpret_cast<sockaddr*>(&source), source_length) != 0) Die("bind --from");
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&where), length) != 0) Die("connect");
  return fd;
}

void Pause(std::chrono::milliseconds ms) {
  timespec pause{static_cast<time_t>(ms.count() / 1000),
                 static_cast<long>(ms.count() % 1000) * 1'000'000};
  while (nanosleep(&pause, &pause) != 0) {
  }
}

// Logs traffic that began at `from` and is over now.
void Logged(Clock::time_point from) {
  auto ns = [](Clock::time_point t) {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
  };
  std::printf("traffic %lld %lld\n", ns(from), ns(Clock::now()));
  std::fflush(stdout);
}

int Send(const char* address, int port, const char* from, std::chrono::milliseconds every,
         std::chrono::milliseconds duration, bool short_connections, bool once) {
  const auto until = Clock::now() + duration;
  int fd = -1;
  if (!short_connections) {
    const auto start = Clock::now();
    fd = Connect(address, port, from);
    Logged(start);
  }
  std::printf("connected\n");
  std::fflush(stdout);
  for (bool first = true; once ? first : Clock::now() < until; first = false) {
    const auto start = Clock::now();
    if (short_connections) fd = Connect(address, port, from);
    if (send(fd, "x", 1, MSG_NOSIGNAL) != 1) Die("send");
    if (short_connections) close(fd);
    Logged(start);
    Pause(every);
  }
  std::printf("quiet\n");
  std::fflush(stdout);
  while (true) pause();
}

int Hold(const char* address, int port, int count) {
  for (int i = 0; i < count; ++i) Connect(address, port, nullptr);
  std::printf("connected\n");
  std::fflush(stdout);
  while (true) pause();
}

// Thousands of connections need more descriptors than the usual soft limit of 1024.
void RaiseFileLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) Die("getrlimit");
  files.rlim_cur = files.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &files) != 0) Die("setrlimit");
}

int BringLoopbackUp() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Die("socket");
  ifreq request{};
  std::strcpy(request.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &request) != 0) Die("SIOCGIFFLAGS");
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  if (ioctl(fd, SIOCSIFFLAGS, &request) != 0) Die("SIOCSIFFLAGS");
  std::printf("ready\n");
  std::fflush(stdout);
  while (true) pause();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "netns") return BringLoopbackUp();
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: tcp_traffic serve|send ADDR PORT [OPTIONS] | hold ADDR PORT N | netns\n");
    return 2;
  }
  std::string mode = argv[1];
  const char* address = argv[2];
  int port = std::atoi(argv[3]);
  RaiseFileLimit();
  if (mode == "hold" && argc == 5) return Hold(address, port, std::atoi(argv[4]));
  bool no_accept = false;
  bool no_read = false;
  bool once = false;
  bool short_connections = false;
  const char* from = nullptr;
  std::chrono::milliseconds every(100);
  std::chrono::milliseconds duration = std::chrono::hours(24);
  for (int i = 4; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--no-accept") {
      no_accept = true;
    } else if (arg == "--no-read") {
      no_read = true;
    } else if (arg == "--once") {
      once = true;
    } else if (arg == "--short") {
      short_connections = true;
    } else if (arg == "--from" && i + 1 < argc) {
      from = argv[++i];
    } else if (arg == "--every" && i + 1 < argc) {
      every = std::chrono::milliseconds(std::atoi(argv[++i]));
    } else if (arg == "--for" && i + 1 < argc) {
      duration = std::chrono::milliseconds(std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "unknown argument: %s\n", argv[i]);
      return 2;
    }
  }
  if (mode == "serve") return Serve(address, port, !no_accept, !no_read);
  if (mode == "send") return Send(address, port, from, every, duration, short_connections, once);
  std::fprintf(stderr, "unknown mode: %s\n", mode.c_str());
  return 2;
}
