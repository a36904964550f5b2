// exec-with-delay --ready-port: the health checks it answers, and that serving them never holds up
// what linger is for.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "catch.h"
#include "listener.h"
#include "proc.h"
#include "process.h"
#include "scripted_server.h"

using namespace std::chrono_literals;
using test::CheckOneLine;
using test::CheckUsageError;
using test::Clock;
using test::Contains;
using test::CountReceived;
using test::Eventually;
using test::Helper;
using test::kPrompt;
using test::Linger;
using test::Process;
using test::ReservedPort;
using test::Run;
using test::StartLogged;

namespace {

const std::string kExec = "exec-with-delay";

// A descriptor that closes itself.
struct Socket {
  explicit Socket(int family) : fd(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd >= 0);
  }
  ~Socket() { close(fd); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd;
};

// Connects to 127.0.0.1 (or ::1) on `port`; -1 when refused.
std::unique_ptr<Socket> Connect(int port, bool ipv6 = false) {
  auto s = std::make_unique<Socket>(ipv6 ? AF_INET6 : AF_INET);
  sockaddr_storage storage{};
  socklen_t length;
  if (ipv6) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(storage);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(static_cast<uint16_t>(port));
    in6.sin6_addr = in6addr_loopback;
    length = sizeof in6;
  } else {
    auto& in = reinterpret_cast<sockaddr_in&>(storage);
    in.sin_family = AF_INET;
    in.sin_port = htons(static_cast<uint16_t>(port));
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof in;
  }
  if (connect(s->fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) return nullptr;
  return s;
}

// True when the peer closed (or reset) the connection within `timeout`; data before that is read
// and dropped.
bool ClosedByPeer(const Socket& s, Clock::duration timeout) {
  auto deadline = Clock::now() + timeout;
  char buffer[4096];
  while (Clock::now() < deadline) {
    pollfd p{s.fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    ssize_t n = recv(s.fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
  }
  return false;
}

// Sends `request` to the ready port and returns the whole response (read until linger closes);
// "" when the connection failed.
std::string Ask(int port, const std::string& request = "GET / HTTP/1.1\r\nHost: pod\r\n\r\n",
                bool ipv6 = false) {
  auto s = Connect(port, ipv6);
  if (!s) return "";
  if (send(s->fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return "";
  }
  std::string response;
  char buffer[4096];
  auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    pollfd p{s->fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(s->fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  return response;
}

// The status of a response, 0 when there is none.
int StatusOf(const std::string& response) {
  int status = 0;
  return std::sscanf(response.c_str(), "HTTP/1.1 %d ", &status) == 1 ? status : 0;
}

// The body of a response.
std::string BodyOf(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

}  // namespace

TEST_CASE("the ready port answers 200 ready until the held-back signal, then 503 draining") {
  const auto reserved = ReservedPort();
  const int port = reserved.port();
  auto p = StartLogged({"--delay", "1m", "--ready-port", std::to_string(port)}, {"15", "2"});
  std::string ready = Ask(port);
  CHECK(StatusOf(ready) == 200);
  CHECK(BodyOf(ready) == "ready\n");
  CHECK(Contains(ready, "Connection: close\r\n"));
  CHECK(Contains(ready, "Content-Length: 6\r\n"));
  // Any method and path; HEAD gets the headers only.
  std::string head = Ask(port, "HEAD /whatever?x=1 HTTP/1.0\r\n\r\n");
  CHECK(StatusOf(head) == 200);
  CHECK(Contains(head, "Content-Length: 6\r\n"));
  CHECK(BodyOf(head).empty());
  if (std::filesystem::exists("/proc/net/if_inet6")) {
    CHECK(StatusOf(Ask(port, "GET / HTTP/1.1\r\n\r\n", true)) == 200);
  }
  CHECK(StatusOf(Ask(port, "NOT HTTP\r\n\r\n")) == 400);

  p->Signal(SIGTERM);
  REQUIRE(p->WaitForStderr("; ready port " + std::to_string(port) + " answers 503 from now on"));
  std::string draining = Ask(port);
  CHECK(StatusOf(draining) == 503);
  CHECK(Contains(draining, "HTTP/1.1 503 Service Unavailable\r\n"));
  CHECK(BodyOf(draining) == "draining\n");
  head = Ask(port, "HEAD / HTTP/1.1\r\n\r\n");
  CHECK(StatusOf(head) == 503);
  CHECK(BodyOf(head).empty());
  CHECK(CountReceived(*p, SIGTERM) == 0);
  p->Signal(SIGTERM);
  CHECK(p->Wait(20s) == 143);
}

TEST_CASE("with --ready-fail-after the ready port stays 200 for D after the signal, then 503") {
  const auto reserved = ReservedPort();
  const int port = reserved.port();
  auto p = StartLogged(
      {"--delay", "1m", "--ready-port", std::to_string(port), "--ready-fail-after", "2s"},
      {"15", "2"});
  auto t0 = Clock::now();
  p->Signal(SIGTERM);
  REQUIRE(p->WaitForStderr("ready port " + std::to_string(port) + " answers 503 in 2s"));
  std::string early = Ask(port);
  // Only an answer that surely came before the 2 s is evidence.
  if (Clock::now() - t0 < 1900ms) CHECK(StatusOf(early) == 200);
  CHECK(Eventually([&] { return StatusOf(Ask(port)) == 503; }, 20s));
  CHECK(Clock::now() - t0 >= 2s);
  p->Signal(SIGTERM);
  CHECK(p->Wait(20s) == 143);
}

TEST_CASE("with --ready-url the ready port passes the app's readiness on until the signal") {
  test::TempDir dir;
  const std::string requests = dir.path() + "/requests";
  test::HttpServer app({"--requests", requests, "503", "200"});
  const auto reserved = ReservedPort();
  const int port = reserved.port();
  auto p = StartLogged(
      {"--delay", "1m", "--ready-port", std::to_string(port), "--ready-url", app.Url("/ready")},
      {"15", "2"});
  std::string unhealthy = Ask(port);
  CHECK(StatusOf(unhealthy) == 503);
  CHECK(BodyOf(unhealthy) == "not ready: HTTP 503 Scripted\n");
  std::string healthy = Ask(port);
  CHECK(StatusOf(healthy) == 200);
  CHECK(BodyOf(healthy) == "ready\n");
  REQUIRE(test::LineCount(test::ReadFile(requests)) > 0);
  const std::string asked = test::ReadFile(requests);
  CHECK(Contains(asked, "GET /ready HTTP/1.1\r\n"));

  // Once draining, the app is not asked any more.
  p->Signal(SIGTERM);
  REQUIRE(p->WaitForStderr("answers 503 from now on"));
  for (int i = 0; i < 3; ++i) CHECK(BodyOf(Ask(port)) == "draining\n");
  CHECK(test::ReadFile(requests) == asked);
  p->Signal(SIGTERM);
  CHECK(p->Wait(20s) == 143);
}

TEST_CASE("with --ready-url an app that does not answer is not ready, within a few seconds") {
  const auto reserved = ReservedPort();
  const int port = reserved.port();
  const auto refusing = ReservedPort();
  auto p = StartLogged({"--delay", "1m", "--ready-port", std::to_string(port), "--ready-url",
                        "http://127.0.0.1:" + std::to_string(refusing.port()) + "/"},
                       {"15", "2"});
  auto t0 = Clock::now();
  std::string refused = Ask(port);
  CHECK(StatusOf(refused) == 503);
  CHECK(Contains(BodyOf(refused), "not ready: connect to 127.0.0.1:"));
  CHECK(Clock::now() - t0 < kPrompt);
  p->Signal(SIGINT);
  CHECK(p->Wait(20s) == 128 + SIGINT);
}

TEST_CASE("a ready port that cannot be bound is one error line, exit 1, COMMAND never started") {
  const test::Listener taken;
  const std::string port = std::to_string(taken.port());

  test::TempDir dir;
  const std::string marker = dir.path() + "/started";
  auto r = Run({Linger(), kExec, "--ready-port", port, "--", "/bin/touch", marker});
  CHECK(r.status == 1);
  // The reason's words are the C library's: glibc's "Address already in use", musl's "Address in
  // use".
  CheckOneLine(r.err, "linger: ", "cannot listen on the ready port " + port + ": bind: Address ");
  CHECK_FALSE(std::filesystem::exists(marker));
}

TEST_CASE("bad ready-port values are usage errors that name the option or variable") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"--ready-port", "0"}, "--ready-port: invalid port '0'"},
      {{"--ready-port", "65536"}, "--ready-port: invalid port '65536'"},
      {{"--ready-port", "http"}, "--ready-port: invalid port 'http'"},
      {{"--ready-port", "8081", "--ready-url", "http://"}, "--ready-url: "},
      {{"--ready-port", "8081", "--ready-url", "https://127.0.0.1/ready"},
       "--ready-url: 'https://127.0.0.1/ready' is not a plain http:// URL"},
      {{"--ready-port", "8081", "--ready-fail-after", "soon"}, "--ready-fail-after: "},
      {{"--ready-url", "http://127.0.0.1/"}, "need --ready-port"},
      {{"--ready-port", "8081", "--until-idle", "1s", "--ports", "8000-8100"},
       "--ports: the ready port 8081 is not a serving port"},
  };
  test::TempDir dir;
  const std::string marker = dir.path() + "/started";
  for (const Case& c : cases) {
    std::vector<std::string> argv = {Linger(), kExec};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    argv.insert(argv.end(), {"/bin/touch", marker});
    INFO(argv[3]);
    CheckUsageError(Run(argv), c.message);
  }
  test::StartOptions options;
  options.env = {"LINGER_READY_PORT=x"};
  CheckUsageError(Run({Linger(), kExec, "/bin/touch", marker}, 20s, options),
                  "LINGER_READY_PORT: invalid port 'x'");
  CHECK_FALSE(std::filesystem::exists(marker));
}

TEST_CASE("a hostile client on the ready port does not delay a forwarded signal") {
  const auto reserved = ReservedPort();
  const int port = reserved.port();
  auto p = StartLogged({"--delay", "1m", "--ready-port", std::to_string(port)}, {"15", "2"});
  // One connects and sends nothing; one sends a MiB without reading.
  auto silent = Connect(port);
  REQUIRE(silent);
  auto flood = Connect(port);
  REQUIRE(flood);
  REQUIRE(fcntl(flood->fd, F_SETFL, O_NONBLOCK) == 0);
  const std::string chunk(64 * 1024, 'x');
  size_t sent = 0;
  auto flooding_until = Clock::now() + 5s;
  while (sent < 1024 * 1024 && Clock::now() < flooding_until) {
    ssize_t n = send(flood->fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
    if (n > 0) sent += static_cast<size_t>(n);
    if (n < 0 && errno != EAGAIN) break;  // linger answered 400 and closed
    if (n < 0) std::this_thread::sleep_for(10ms);
  }
  p->Signal(SIGUSR1);
  CHECK(Eventually([&] { return CountReceived(*p, SIGUSR1) == 1; }, kPrompt));
  // Forwarded before the silent connection ran out of time; then it is closed.
  pollfd still_open{silent->fd, POLLIN, 0};
  CHECK(poll(&still_open, 1, 0) == 0);
  CHECK(ClosedByPeer(*silent, 10s));
  CHECK(ClosedByPeer(*flood, 10s));
  // And the port still answers.
  CHECK(StatusOf(Ask(port)) == 200);
  p->Signal(SIGINT);
  CHECK(p->Wait(20s) == 128 + SIGINT);
}

TEST_CASE("100 idle connections on the ready port do not delay forwarding, at most 64 are open") {
  const auto reserved = ReservedPort();
  const int port = reserved.port();
  auto p = StartLogged({"--delay", "1m", "--ready-port", std::to_string(port)}, {"15", "2"});
  Process hold({Helper("tcp_traffic"), "hold", "127.0.0.1", std::to_string(port), "100"});
  REQUIRE(hold.WaitForStdout("connected"));
  for (int round = 1; round <= 3; ++round) {
    p->Signal(SIGUSR1);
    CHECK(Eventually([&] { return CountReceived(*p, SIGUSR1) == static_cast<size_t>(round); },
                     kPrompt));
  }
  CHECK(test::OpenDescriptors(p->pid()) <= 64 + 10);
  p->Signal(SIGTERM);
  REQUIRE(p->WaitForStderr("answers 503"));
  // The queued ones are served as the idle ones run out of time.
  CHECK(Eventually([&] { return StatusOf(Ask(port)) == 503; }, 20s));
  p->Signal(SIGTERM);
  CHECK(p->Wait(20s) == 143);
}

TEST_CASE("an idle exec-with-delay with a ready port sleeps in the kernel: no wake-ups") {
  const auto reserved = ReservedPort();
  const int port = reserved.port();
  Process p({Linger(), kExec, "--ready-port", std::to_string(port), "--ready-fail-after", "5s",
             "/bin/sleep", "60"});
  REQUIRE(Eventually([&] {
    std::vector<pid_t> children = test::Children(p.pid());
    return children.size() == 1 && test::Comm(children[0]) == "sleep";
  }));
  REQUIRE(StatusOf(Ask(port)) == 200);
  // A check's connection is done with when its answer is sent: nothing is left to wake up for.
  long before = test::StatusField(p.pid(), "voluntary_ctxt_switches");
  std::this_thread::sleep_for(2s);  // the measurement window itself, not a synchronisation
  long after = test::StatusField(p.pid(), "voluntary_ctxt_switches");
  CHECK(after - before <= 2);
  p.Signal(SIGINT);
  CHECK(p.Wait(20s) == 128 + SIGINT);
}
