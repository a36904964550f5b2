// linger wait-tcp against listening sockets of the test itself.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "catch.h"
#include "process.h"

using namespace std::chrono_literals;
using test::Linger;
using test::Run;

namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A TCP socket on the loopback of `family`, bound to `port` (0: any), listening unless told not.
class Listener {
 public:
  explicit Listener(int family = AF_INET, int port = 0, bool listening = true)
      : fd_(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    int on = 1;
    REQUIRE(setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0);
    sockaddr_storage address{};
    socklen_t length = 0;
    if (family == AF_INET) {
      auto& in = reinterpret_cast<sockaddr_in&>(address);
      in.sin_family = AF_INET;
      in.sin_port = htons(static_cast<uint16_t>(port));
      in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      length = sizeof in;
    } else {
      auto& in6 = reinterpret_cast<sockaddr_in6&>(address);
      in6.sin6_family = AF_INET6;
      in6.sin6_port = htons(static_cast<uint16_t>(port));
      in6.sin6_addr = in6addr_loopback;
      length = sizeof in6;
    }
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0);
    if (listening) REQUIRE(listen(fd_, 16) == 0);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in&>(address).sin_port
                                    : reinterpret_cast<sockaddr_in6&>(address).sin6_port);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }
  // Accepts one connection and returns how many bytes it carried before its end.
  ssize_t BytesOfNextConnection() const {
    int connection = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(connection >= 0);
    char buffer[64];
    ssize_t n = read(connection, buffer, sizeof buffer);
    close(connection);
    return n;
  }

 private:
  int fd_;
  int port_ = 0;
};

}  // namespace

TEST_CASE("wait-tcp: refused at first, ready once the port listens, and no byte is sent") {
  int port = 0;
  {
    Listener unused(AF_INET, 0, false);  // a port that nothing listens on, until below
    port = unused.port();
  }
  std::string target = "127.0.0.1:" + std::to_string(port);
  test::Process linger({Linger(), "wait-tcp", "--interval", "100ms", "--timeout", "20s", target});
  REQUIRE(linger.WaitForStderr("not ready: connect to " + target + ": Connection refused"));
  Listener server(AF_INET, port);
  CHECK(linger.Wait(10s) == 0);
  CHECK(Contains(linger.Stderr(), "linger: waiting for " + target + " (timeout 20s, every 100ms)"));
  CHECK(Contains(linger.Stderr(), target + " is ready after"));
  CHECK(server.BytesOfNextConnection() == 0);
}

TEST_CASE("wait-tcp: [::1]:PORT, and a name, then COMMAND replaces linger") {
  Listener v6(AF_INET6);
  auto r = Run({Linger(), "wait-tcp", "--timeout", "5s", "[::1]:" + std::to_string(v6.port())});
  CHECK(r.status == 0);
  CHECK(Contains(r.err, "connected to [::1]:"));

  Listener v4;
  auto named = Run({Linger(), "wait-tcp", "--quiet", "localhost:" + std::to_string(v4.port()), "--",
                    "/bin/echo", "started"});
  CHECK(named.status == 0);
  CHECK(named.out == "started\n");
  CHECK(named.err.empty());
}

TEST_CASE("wait-tcp: a port that never listens exits 1 at the timeout, with the last reason") {
  int port = 0;
  {
    Listener unused(AF_INET, 0, false);
    port = unused.port();
  }
  auto r = Run({Linger(), "wait-tcp", "--timeout", "500ms", "--interval", "100ms",
                "127.0.0.1:" + std::to_string(port)});
  CHECK(r.status == 1);
  CHECK(r.elapsed >= 500ms);
  CHECK(Contains(r.err, "gave up on 127.0.0.1:" + std::to_string(port)));
  CHECK(Contains(r.err, "Connection refused"));
}

TEST_CASE("wait-tcp: SIGTERM while waiting exits 143") {
  int port = 0;
  {
    Listener unused(AF_INET, 0, false);
    port = unused.port();
  }
  test::Process linger(
      {Linger(), "wait-tcp", "--timeout", "0", "127.0.0.1:" + std::to_string(port)});
  REQUIRE(linger.WaitForStderr("not ready:"));
  linger.Signal(SIGTERM);
  CHECK(linger.Wait(10s) == 143);
}

TEST_CASE("wait-tcp: a bad HOST:PORT or option is a usage error, exit 2, one line naming it") {
  struct Case {
    std::vector<std::string> args;
    const char* named;
  };
  const Case cases[] = {
      {{"db:postgres"}, "port 'postgres' is not a number"},
      {{"db"}, "no port"},
      {{"db:0"}, "port '0'"},
      {{"[::1:80"}, "without ']'"},
      {{}, "missing HOST:PORT"},
      {{"db:1", "db:2"}, "'db:2'"},
      {{"--timeout", "soon", "db:1"}, "soon"},
      {{"--status", "200", "db:1"}, "--status"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {Linger(), "wait-tcp"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    INFO(c.named);
    auto r = Run(argv);
    CHECK(r.status == 2);
    CHECK(test::LineCount(r.err) == 1);
    CHECK(r.err.rfind("linger: wait-tcp: ", 0) == 0);
    CHECK(Contains(r.err, c.named));
  }
}
