// linger wait-tcp against listening sockets of the test itself.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "catch.h"
#include "dns_sandbox.h"
#include "listener.h"
#include "process.h"

using namespace std::chrono_literals;
using test::CheckUsageError;
using test::Contains;
using test::DnsSandbox;
using test::DnsServer;
using test::Linger;
using test::Listener;
using test::Run;

namespace {

// How many IPv4 connects of this network namespace wait for an answer to their SYN.
size_t ConnectsUnderWay() {
  std::istringstream table(test::ReadFile("/proc/net/tcp"));
  std::string line;
  size_t count = 0;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "02") ++count;  // TCP_SYN_SENT
  }
  return count;
}

}  // namespace

TEST_CASE("wait-tcp: refused at first, ready once the port listens, and no byte is sent") {
  Listener server(AF_INET, 0, false);  // refuses until it listens, below
  std::string target = "127.0.0.1:" + std::to_string(server.port());
  test::Process linger({Linger(), "wait-tcp", "--interval", "100ms", "--timeout", "20s", target});
  REQUIRE(linger.WaitForStderr("not ready: connect to " + target + ": Connection refused"));
  server.Listen();
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
      {{"db:1", "db"}, "invalid address 'db'"},
      {{"--timeout", "soon", "db:1"}, "soon"},
      {{"--status", "200", "db:1"}, "--status"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {Linger(), "wait-tcp"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    INFO(c.named);
    CheckUsageError(Run(argv), c.named, "linger: wait-tcp: ");
  }
}

TEST_CASE("wait-tcp: an address that drops connection attempts does not hold back the next") {
  DnsSandbox sandbox("10.77.0.1 multi.test\n127.0.0.1 multi.test\n", "");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  sandbox.DropConnections("10.77.0.1");
  Listener server;
  std::string port = std::to_string(server.port());
  // Each attempt used to spend its whole --request-timeout on the first address: far longer than
  // any machine takes to try the second.
  auto r = Run(
      {Linger(), "wait-tcp", "--timeout", "60s", "--request-timeout", "30s", "multi.test:" + port});
  CHECK(r.status == 0);
  CHECK(r.elapsed < test::kPrompt);
  CHECK(Contains(r.err, "connected to 127.0.0.1:" + port));
  CHECK_FALSE(Contains(r.err, "not ready"));

  // When none accepts, even within a budget shorter than the usual stagger, the reason names
  // what happened at each address.
  const auto refusing = test::ReservedPort();
  const int closed = refusing.port();
  std::string target = "multi.test:" + std::to_string(closed);
  auto none = Run({Linger(), "wait-tcp", "--timeout", "1s", "--request-timeout", "200ms", target});
  CHECK(none.status == 1);
  CHECK(Contains(
      none.err, "not ready: timed out connecting to 10.77.0.1:" + std::to_string(closed) +
                    "; connect to 127.0.0.1:" + std::to_string(closed) + ": Connection refused\n"));
}

TEST_CASE("wait-tcp: a dead A record does not hold back a working AAAA") {
  DnsSandbox sandbox("", "nameserver 127.0.0.1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  sandbox.DropConnections("10.77.0.1");
  DnsServer dns("127.0.0.1", {"svc.test=10.77.0.1", "svc.test=::1"});
  Listener v6(AF_INET6);
  auto r = Run({Linger(), "wait-tcp", "--timeout", "60s", "--request-timeout", "30s",
                "svc.test:" + std::to_string(v6.port())});
  CHECK(r.status == 0);
  CHECK(r.elapsed < test::kPrompt);
  CHECK(Contains(r.err, "connected to [::1]:"));
}

TEST_CASE("wait-tcp: a refused address hands on to the next at once") {
  std::string hosts;
  for (int i = 2; i <= 61; ++i) hosts += "127.0.0." + std::to_string(i) + " multi.test\n";
  hosts += "127.0.0.1 multi.test\n";
  DnsSandbox sandbox(hosts, "");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  Listener server;  // on 127.0.0.1 alone: the sixty addresses before it refuse
  // Waiting out the 250 ms stagger after each refusal would take 15 s.
  auto r = Run({Linger(), "wait-tcp", "--timeout", "60s", "--request-timeout", "30s",
                "multi.test:" + std::to_string(server.port())});
  CHECK(r.status == 0);
  CHECK(r.elapsed < test::kPrompt);
  CHECK_FALSE(Contains(r.err, "not ready"));
}

TEST_CASE("wait-tcp: SIGTERM ends it at once while connects to silent addresses are pending") {
  DnsSandbox sandbox("10.77.0.1 silent.test\n10.77.0.2 silent.test\n", "");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  sandbox.DropConnections("10.77.0.1");
  sandbox.DropConnections("10.77.0.2");
  test::Process linger(
      {Linger(), "wait-tcp", "--timeout", "60s", "--request-timeout", "30s", "silent.test:80"});
  REQUIRE(test::Eventually([] { return ConnectsUnderWay() == 2; }));
  auto start = test::Clock::now();
  linger.Signal(SIGTERM);
  CHECK(linger.Wait(10s) == 143);
  CHECK(test::Clock::now() - start < test::kPrompt);
}
