// Waits for several targets at once: linger wait, and wait-http and wait-tcp with more than one.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "catch.h"
#include "dns_sandbox.h"
#include "listener.h"
#include "proc.h"
#include "process.h"
#include "scripted_server.h"

using namespace std::chrono_literals;
using test::CheckUsageError;
using test::Contains;
using test::Linger;
using test::Listener;
using test::Process;
using test::Run;
using Server = test::HttpServer;

namespace {

std::string Tcp(const Listener& listener) {
  return "tcp://127.0.0.1:" + std::to_string(listener.port());
}

// The last line of `text`, without its newline.
std::string LastLine(const std::string& text) {
  size_t end = text.size() - (text.ends_with('\n') ? 1 : 0);
  size_t begin = text.rfind('\n', end == 0 ? 0 : end - 1);
  return text.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin + 1));
}

}  // namespace

TEST_CASE("wait: targets that come up in any order, each named in its lines, then a last line") {
  Listener first(AF_INET, 0, false);
  Listener second(AF_INET, 0, false);
  Server http({"503", "503", "200"});
  Process p({Linger(), "wait", "--interval", "100ms", Tcp(first), Tcp(second), http.Url()});
  REQUIRE(p.WaitForStderr(Tcp(first) + " not ready: connect to 127.0.0.1:"));
  REQUIRE(p.WaitForStderr(Tcp(second) + " not ready: connect to 127.0.0.1:"));
  REQUIRE(p.WaitForStderr(http.Url() + " is ready after "));
  second.Listen();
  REQUIRE(p.WaitForStderr(Tcp(second) + " is ready after "));
  CHECK_FALSE(p.Wait(200ms).has_value());  // the first is still down
  first.Listen();
  REQUIRE(p.Wait(10s) == 0);
  std::string err = p.Stderr();
  CHECK(Contains(err, "linger: waiting for " + Tcp(first) + " (timeout 30s, every 100ms)\n"));
  CHECK(Contains(err, http.Url() + " not ready: HTTP 503 Scripted\n"));
  CHECK(err.find(Tcp(second) + " is ready") < err.find(Tcp(first) + " is ready"));
  CHECK(LastLine(err).starts_with("linger: all 3 targets are ready after "));
  // Start, one reason and ready for each: nine lines, and the last; none mixed with another.
  CHECK(test::LineCount(err) == 10);
}

TEST_CASE("wait-http and wait-tcp take several targets, and one target keeps its lines") {
  Server a({"200"});
  Server b({"503", "200"});
  auto http = Run({Linger(), "wait-http", "--interval", "50ms", a.Url(), b.Url()});
  CHECK(http.status == 0);
  CHECK(Contains(http.err, b.Url() + " not ready: HTTP 503 Scripted\n"));
  CHECK(Contains(http.err, "linger: all 2 targets are ready after "));
  Listener one;
  Listener two;
  auto tcp = Run({Linger(), "wait-tcp", "127.0.0.1:" + std::to_string(one.port()),
                  "127.0.0.1:" + std::to_string(two.port())});
  CHECK(tcp.status == 0);
  CHECK(test::LineCount(tcp.err) == 5);
  Server c({"503", "200"});
  auto single = Run({Linger(), "wait", "--interval", "50ms", c.Url()});
  CHECK(single.status == 0);
  CHECK(Contains(single.err, "\nlinger: not ready: HTTP 503 Scripted\n"));
  CHECK(test::LineCount(single.err) == 3);
}

TEST_CASE("wait: a target whose attempt hangs does not delay the others") {
  Server hanging({"hang"});
  Listener fast(AF_INET, 0, false);
  Process p({Linger(), "wait", "--interval", "100ms", "--request-timeout", "30s", "--timeout",
             "60s", hanging.Url(), Tcp(fast)});
  REQUIRE(p.WaitForStderr(Tcp(fast) + " not ready: "));
  auto up = test::Clock::now();
  fast.Listen();
  REQUIRE(p.WaitForStderr(Tcp(fast) + " is ready after "));
  // Well before the hanging attempt's 30 s, and the wait goes on for the other.
  CHECK(test::Clock::now() - up < 10s);
  CHECK_FALSE(p.Wait(100ms).has_value());
  auto sent = test::Clock::now();
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
  CHECK(test::Clock::now() - sent < test::kPrompt);
}

TEST_CASE("wait: giving up names every target still not ready with its last reason") {
  Listener down(AF_INET, 0, false);
  Listener up;
  Server failing({"503"});
  auto r = Run({Linger(), "wait", "--timeout", "1s", "--interval", "100ms", Tcp(down), Tcp(up),
                failing.Url()});
  CHECK(r.status == 1);
  CHECK(r.elapsed >= 1s);
  CHECK(r.elapsed < 8s);
  std::string last = LastLine(r.err);
  CHECK(last.starts_with("linger: wait: gave up after 1"));
  CHECK(Contains(last, Tcp(down) + " (connect to 127.0.0.1:" + std::to_string(down.port())));
  CHECK(Contains(last, failing.Url() + " (HTTP 503 Scripted)"));
  CHECK_FALSE(Contains(last, Tcp(up)));
}

TEST_CASE("wait: SIGTERM ends a wait of several at once and leaves no child behind") {
  Server hanging({"hang"});
  Listener down(AF_INET, 0, false);
  Process p(
      {Linger(), "wait", "--request-timeout", "30s", hanging.Url(), Tcp(down), "dns://127.0.0.1"});
  REQUIRE(p.WaitForStderr("dns://127.0.0.1 is ready after "));
  REQUIRE(p.WaitForStderr(Tcp(down) + " not ready: "));
  // The dns:// child, ready, is gone once reaped; the other two wait on.
  std::vector<pid_t> children;
  CHECK(test::Eventually([&] {
    children = test::Children(p.pid());
    return children.size() == 2;
  }));
  auto sent = test::Clock::now();
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
  CHECK(test::Clock::now() - sent < test::kPrompt);
  for (pid_t child : children) {
    INFO("child " << child);
    CHECK(test::Eventually([&] { return kill(child, 0) != 0; }, 5s));
  }
}

TEST_CASE("wait: a child whose parent is killed goes with it") {
  Listener down(AF_INET, 0, false);
  Listener other(AF_INET, 0, false);
  Process p({Linger(), "wait", Tcp(down), Tcp(other)});
  REQUIRE(p.WaitForStderr(Tcp(other) + " not ready: "));
  std::vector<pid_t> children = test::Children(p.pid());
  REQUIRE(children.size() == 2);
  p.Signal(SIGKILL);
  CHECK(p.Wait(10s) == 128 + SIGKILL);
  for (pid_t child : children) {
    CHECK(test::Eventually(
        [&] {
          std::optional<test::ProcStat> stat = test::Stat(child);
          return !stat || stat->state == 'Z';
        },
        5s));
  }
}

TEST_CASE("wait execs COMMAND with linger's pid once every target is ready") {
  Listener one;
  Server two({"200"});
  Process p({Linger(), "wait", Tcp(one), two.Url(), "--", "/bin/sh", "-c", "echo $$"});
  REQUIRE(p.Wait(10s) == 0);
  CHECK(p.Stdout() == std::to_string(p.pid()) + "\n");
  // The signal state linger started with, SIGCHLD ignored too, though the wait needed it back.
  test::StartOptions options;
  options.blocked = {SIGUSR1, SIGTERM};
  options.ignored = {SIGCHLD, SIGPIPE};
  auto direct = Run({test::Helper("signal_state")}, 10s, options);
  auto waited = Run({Linger(), "wait", Tcp(one), two.Url(), "--", test::Helper("signal_state")},
                    10s, options);
  CHECK(waited.status == 0);
  CHECK(waited.out == direct.out);
}

TEST_CASE("wait: dns:// is ready once the name is in /etc/hosts, or a DNS server knows it") {
  test::DnsSandbox sandbox("", "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  Process p({Linger(), "wait", "--interval", "100ms", "dns://late.test", "dns://served.test"});
  REQUIRE(p.WaitForStderr("dns://late.test not ready: "));
  REQUIRE(p.WaitForStderr("dns://served.test not ready: "));
  std::ofstream(sandbox.dir() + "/hosts") << "10.9.8.7 late.test\n";
  REQUIRE(p.WaitForStderr("dns://late.test is ready after ", 20s));
  CHECK(Contains(p.Stderr(), ": resolves to 10.9.8.7\n"));
  CHECK_FALSE(p.Wait(100ms).has_value());
  test::DnsServer dns("127.0.0.1", {"served.test=10.1.2.3"});
  REQUIRE(p.Wait(20s) == 0);
  CHECK(Contains(p.Stderr(), "dns://served.test is ready after "));
  CHECK(Contains(p.Stderr(), ": resolves to 10.1.2.3\n"));
}

TEST_CASE("wait: no such name is a reason to wait, not an error") {
  test::DnsSandbox sandbox("", "nameserver 127.0.0.1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  test::DnsServer dns("127.0.0.1", {"other.test=10.1.2.3"});
  auto r = Run({Linger(), "wait", "--timeout", "1s", "--interval", "100ms", "dns://absent.test",
                "dns://other.test"});
  CHECK(r.status == 1);
  CHECK(Contains(r.err, "dns://absent.test not ready: "));
  CHECK(Contains(LastLine(r.err), "dns://absent.test ("));
}

TEST_CASE("wait: options that fit none of the targets, unknown schemes and no target: exit 2") {
  struct Case {
    std::vector<std::string> args;
    const char* named;
  };
  const Case cases[] = {
      {{"--status", "200", "tcp://db:5432", "dns://db"}, "--status"},
      {{"--header", "X: y", "tcp://db:5432"}, "--header"},
      {{"--cacert", "/ca.pem", "http://db/", "tcp://db:1"}, "--cacert"},
      {{"--insecure", "http://db/"}, "--insecure"},
      {{"ftp://db/"}, "ftp://db/"},
      {{"db:5432"}, "db:5432"},
      {{}, "missing TARGET"},
      {{"tcp://db"}, "tcp://db"},
      {{"dns://db:53"}, "dns://db:53"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {Linger(), "wait"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    CheckUsageError(Run(argv), c.named);
  }
  CHECK(Run({Linger(), "wait", "--cacert", "/ca.pem", "--timeout", "1ms", "https://db/",
             "tcp://db:1"})
            .status == 1);
}

TEST_CASE("failed attempts spread over several targets leave descriptors and memory flat") {
  Server a({"503"});
  Server b({"503"});
  Server c({"503"});
  Process p({Linger(), "wait", "--quiet", "--interval", "0", "--timeout", "0", a.Url(), b.Url(),
             c.Url()});
  std::vector<Server*> servers = {&a, &b, &c};
  // Sampling starts once every target is well under way, so that start-up is not counted.
  for (Server* server : servers) REQUIRE(server->process().WaitForStdout("accepted 1000", 120s));
  auto descriptors = [&] {
    size_t count = test::OpenDescriptors(p.pid());
    for (pid_t child : test::Children(p.pid())) count += test::OpenDescriptors(child);
    return count;
  };
  auto memory = [&] {
    long kib = test::StatusField(p.pid(), "VmRSS");
    for (pid_t child : test::Children(p.pid())) kib += test::StatusField(child, "VmRSS");
    return kib;
  };
  long before = memory();
  std::vector<size_t> counts;
  REQUIRE(test::Eventually(
      [&] {
        counts.push_back(descriptors());
        return std::all_of(servers.begin(), servers.end(), [](Server* server) {
          return Contains(server->process().Stdout(), "accepted 4000");
        });
      },
      300s));
  long after = memory();
  auto [low, high] = std::minmax_element(counts.begin(), counts.end());
  INFO("from " << *low << " to " << *high << " descriptors over " << counts.size() << " samples");
  INFO("VmRSS " << before << " KiB, then " << after << " KiB");
  // One socket in flight per child, and one more seen while /proc is read.
  CHECK(*high - *low <= 6);
#ifndef LINGER_TESTS_SANITIZED
  // ASan's quarantine grows by design; the release build keeps nothing per attempt.
  CHECK(after - before < 300);
#endif
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
}
