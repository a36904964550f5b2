// How wait-http finds a name: /etc/hosts, then DNS servers that misbehave on purpose, each test
// in a network and mount namespace of its own (dns_sandbox.h). Where the C library's behaviour is
// the reference, glibc's getent is asked the same question.
#include <sys/stat.h>

#include <fstream>

#include "catch.h"
#include "dns_sandbox.h"
#include "process.h"
#include "scripted_server.h"

using namespace std::chrono_literals;
using test::Contains;
using test::DnsSandbox;
using test::DnsServer;
using test::Linger;
using test::Run;

namespace {

// http://NAME:PORT/ of `server`.
std::string UrlOf(const std::string& name, const test::HttpServer& server) {
  return "http://" + name + ":" + std::to_string(server.port()) + "/";
}

}  // namespace

TEST_CASE("a silent first nameserver costs its timeout once, then the second one answers") {
  DnsSandbox sandbox("", "nameserver 127.0.0.1\nnameserver 127.0.0.2\noptions timeout:1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  DnsServer silent("127.0.0.1", {"--silent"});
  DnsServer working("127.0.0.2", {"svc.test=127.0.0.1"});
  test::HttpServer server({"200"});

  // The attempt's budget is the first server's timeout: the next attempt starts with the second
  // server instead of paying for the first one again.
  auto r = Run({Linger(), "wait-http", "--timeout", "10s", "--request-timeout", "1s", "--interval",
                "100ms", UrlOf("svc.test", server)});
  CHECK(r.status == 0);
  CHECK(r.elapsed >= 900ms);
  CHECK(Contains(r.err, "timed out waiting for DNS server 127.0.0.1:53"));
  CHECK(test::LineCount(silent.Queries()) == 2);  // A and AAAA, once

  // With time for both in one attempt, the second is asked once the first's timeout has passed,
  // as the C library does.
  auto one = Run({Linger(), "wait-http", "--timeout", "10s", UrlOf("svc.test", server)});
  CHECK(one.status == 0);
  CHECK(one.elapsed >= 900ms);
  CHECK_FALSE(Contains(one.err, "not ready"));
}

TEST_CASE("an A answer is used when the AAAA question is never answered") {
  DnsSandbox sandbox("", "nameserver 127.0.0.1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  DnsServer dns("127.0.0.1", {"--drop-aaaa", "svc.test=127.0.0.1", "svc.test=::1"});
  test::HttpServer server({"200"});
  // The default 5s per server and per attempt: waiting for the AAAA answer would spend every
  // attempt.
  auto r = Run({Linger(), "wait-http", "--timeout", "15s", UrlOf("svc.test", server)});
  CHECK(r.status == 0);
  CHECK_FALSE(Contains(r.err, "not ready"));
  CHECK(Contains(r.err, "HTTP 200"));
  // When the address that came does not work either, the reason says both what failed and what
  // never came.
  auto refused =
      Run({Linger(), "wait-http", "--timeout", "2s", "--interval", "100ms", "http://svc.test:1/"});
  CHECK(refused.status == 1);
  CHECK(Contains(refused.err, "connect to 127.0.0.1:1: Connection refused"));
  CHECK(Contains(refused.err, "DNS server 127.0.0.1:53 did not answer the AAAA query"));
}

TEST_CASE("a DNS reply about another name is not used") {
  DnsSandbox sandbox("", "nameserver 127.0.0.1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  test::HttpServer server({"200"});
  SECTION("the right id, but another question") {
    DnsServer dns("127.0.0.1", {"--other-question", "forged.test", "svc.test=127.0.0.1"});
    auto r = Run({Linger(), "wait-http", "--timeout", "2s", "--request-timeout", "1s",
                  UrlOf("svc.test", server)});
    CHECK(r.status == 1);
    CHECK(Contains(r.err, "timed out waiting for DNS server 127.0.0.1:53"));
  }
  SECTION("the right question, but answers about another name") {
    DnsServer dns("127.0.0.1", {"--other-owner", "forged.test", "svc.test=127.0.0.1"});
    auto r = Run({Linger(), "wait-http", "--timeout", "1s", UrlOf("svc.test", server)});
    CHECK(r.status == 1);
    CHECK(Contains(r.err, "cannot resolve 'svc.test'"));
  }
  CHECK_FALSE(Contains(server.process().Stdout(), "accepted"));
}

TEST_CASE("a CNAME chain leads to the address of the name it ends at") {
  DnsSandbox sandbox("", "nameserver 127.0.0.1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  DnsServer dns("127.0.0.1", {"--cname", "alias.test=svc.test", "svc.test=127.0.0.1"});
  test::HttpServer server({"200"});
  auto r = Run({Linger(), "wait-http", "--timeout", "5s", UrlOf("alias.test", server)});
  CHECK(r.status == 0);
  CHECK(Run({"/usr/bin/getent", "hosts", "alias.test"}).out.find("127.0.0.1") == 0);
}

TEST_CASE("/etc/hosts and /etc/resolv.conf as FIFOs never block wait-http") {
  DnsSandbox sandbox("", "");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  for (const char* name : {"hosts", "resolv.conf"}) {
    std::string fifo = sandbox.dir() + "/" + name + ".fifo";
    REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
    sandbox.Place(name, fifo);
  }
  // They count as absent: no hosts entries, and the default nameserver 127.0.0.1.
  DnsServer dns("127.0.0.1", {"svc.test=127.0.0.1"});
  test::HttpServer server({"200"});
  // A wait-http blocked in open(2) would be killed by Run at 20s, past its own --timeout.
  auto r = Run({Linger(), "wait-http", "--timeout", "10s", UrlOf("svc.test", server)}, 20s);
  CHECK(r.status == 0);
}

TEST_CASE("a line of /etc/hosts cut at the 1 MiB limit is not a line") {
  // "127.0.0.1 svc.test.other" with the limit falling right after "svc.test".
  std::string head = "127.0.0.1 svc.test";
  std::string hosts;
  constexpr size_t kLimit = 1024 * 1024;
  while (hosts.size() + 100 + head.size() < kLimit) hosts += "# " + std::string(97, 'x') + "\n";
  hosts += "#" + std::string(kLimit - hosts.size() - head.size() - 2, 'x') + "\n";
  hosts += head;
  REQUIRE(hosts.size() == kLimit);
  hosts += ".other\n";
  DnsSandbox sandbox(hosts, "nameserver 127.0.0.1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  test::HttpServer server({"200"});
  auto r = Run({Linger(), "wait-http", "--timeout", "1s", UrlOf("svc.test", server)});
  CHECK(r.status == 1);
  CHECK(Contains(r.err, "cannot resolve 'svc.test'"));
  // The line is whole for glibc, and names another host.
  CHECK(Run({"/usr/bin/getent", "hosts", "svc.test"}).status == 2);
}

TEST_CASE("a semicolon does not start a comment in /etc/hosts") {
  DnsSandbox sandbox("127.0.0.1 x;y svc.test\n", "nameserver 127.0.0.1\n");
  if (!sandbox.skip().empty()) LINGER_SKIP(sandbox.skip());
  test::HttpServer server({"200"});
  auto r = Run({Linger(), "wait-http", "--timeout", "5s", UrlOf("svc.test", server)});
  CHECK(r.status == 0);
  // The same as the C library reads it.
  CHECK(Run({"/usr/bin/getent", "hosts", "svc.test"}).out.find("127.0.0.1") == 0);
}
