// wait-http from the shipped static binary: inside an empty root filesystem, names must resolve
// with no NSS libraries, no shell and nothing else around; and its memory stays flat (ASan's
// quarantine would make that meaningless in the dev build).
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "catch.h"
#include "proc.h"
#include "process.h"
#include "scripted_server.h"

using namespace std::chrono_literals;
using test::Linger;
using test::Run;

namespace {

// Files of /etc by name ("hosts", "resolv.conf") and their text.
using EtcFiles = std::vector<std::pair<std::string, std::string>>;

// An empty directory holding linger and the given files of /etc.
struct Root {
  test::TempDir dir;
  explicit Root(const EtcFiles& etc) {
    std::filesystem::copy_file(Linger(), dir.path() + "/linger");
    std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
    std::filesystem::create_directory(dir.path() + "/etc");
    for (const auto& [name, text] : etc) std::ofstream(dir.path() + "/etc/" + name) << text;
  }
};

// The dns_server helper on 127.0.0.1:53, or a reason to skip.
std::string StartDns(test::Process& dns) {
  if (!dns.WaitForStdout("ready", 5s)) return "cannot listen on 127.0.0.1:53: " + dns.Stderr();
  return "";
}

}  // namespace

TEST_CASE("in an empty root, a name from /etc/hosts resolves and every address is tried") {
  if (!test::IsRoot()) LINGER_SKIP("chroot needs root");
  test::HttpServer server({"200"});
  // [::1] comes first and refuses (the server listens on IPv4 only); 127.0.0.1 answers.
  Root root(EtcFiles{{"hosts", "# test\n::1 backend.test\n127.0.0.1 backend.test backend\n"}});
  std::string port = std::to_string(server.port());
  auto r = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout", "10s",
                "http://backend.test:" + port + "/"});
  CHECK(r.status == 0);
  CHECK(r.err.find("HTTP 200 Scripted") != std::string::npos);
  // As the distroless non-root user, and by its alias.
  auto user = Run({"/usr/sbin/chroot", "--userspec=65532:65532", root.dir.path(), "/linger",
                   "wait-http", "--timeout", "10s", "http://backend:" + port + "/"});
  CHECK(user.status == 0);
}

TEST_CASE("in an empty root with no /etc/hosts at all, localhost still means the loopback") {
  if (!test::IsRoot()) LINGER_SKIP("chroot needs root");
  test::HttpServer server({"200"});
  Root root(EtcFiles{});
  auto r = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout", "10s",
                "http://localhost:" + std::to_string(server.port()) + "/"});
  CHECK(r.status == 0);
  // Any other name has nowhere to come from: no hosts file, and no DNS server on 127.0.0.1.
  auto unknown = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout",
                      "1s", "--interval", "100ms", "http://backend.test/"});
  CHECK(unknown.status == 1);
  CHECK(unknown.err.find("cannot resolve 'backend.test'") != std::string::npos);
}

TEST_CASE("in an empty root, DNS finds a name through resolv.conf's search domains") {
  if (!test::IsRoot()) LINGER_SKIP("chroot and port 53 need root");
  test::Process dns({test::Helper("dns_server"), "backend.svc.test=127.0.0.1"});
  if (std::string why = StartDns(dns); !why.empty()) LINGER_SKIP(why);
  test::HttpServer server({"200"});
  Root root(EtcFiles{
      {"resolv.conf", "search ns.test svc.test\nnameserver 127.0.0.1\noptions ndots:2\n"}});
  auto r = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout", "10s",
                "http://backend:" + std::to_string(server.port()) + "/"});
  CHECK(r.status == 0);
  CHECK(r.err.find("HTTP 200 Scripted") != std::string::npos);
  // The first search domain says "no such name", the second has it; A and AAAA both asked.
  std::string queries = dns.Stdout();
  CHECK(queries.find("query backend.ns.test 1\n") != std::string::npos);
  CHECK(queries.find("query backend.svc.test 1\n") != std::string::npos);
  CHECK(queries.find("query backend.svc.test 28\n") != std::string::npos);
  CHECK(queries.find("query backend 1\n") == std::string::npos);
}

TEST_CASE("a DNS server that never answers cannot hold wait-http past its deadlines") {
  if (!test::IsRoot()) LINGER_SKIP("chroot and port 53 need root");
  test::Process dns({test::Helper("dns_server"), "--silent"});
  if (std::string why = StartDns(dns); !why.empty()) LINGER_SKIP(why);
  Root root(EtcFiles{{"resolv.conf", "nameserver 127.0.0.1\n"}});
  auto r = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout", "1s",
                "--request-timeout", "300ms", "--interval", "0", "http://backend.test/"});
  CHECK(r.status == 1);
  CHECK(r.elapsed >= 1s);
  CHECK(r.elapsed < 8s);
  CHECK(r.err.find("timed out waiting for DNS server 127.0.0.1:53") != std::string::npos);

  // No limit of its own at all: SIGTERM still ends the lookup at once.
  size_t seen = test::LineCount(dns.Stdout());
  test::Process p({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout", "0",
                   "--request-timeout", "0", "http://backend.test/"});
  // Once the DNS server has seen this one's first query, linger is waiting for the answer.
  REQUIRE(test::Eventually([&] { return test::LineCount(dns.Stdout()) > seen; }));
  auto sent = test::Clock::now();
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
  CHECK(test::Clock::now() - sent < 2s);
}

TEST_CASE("10,000 failed attempts leave the memory of the release binary flat") {
  test::HttpServer server({"503"});
  test::Process linger(
      {Linger(), "wait-http", "--quiet", "--interval", "0", "--timeout", "0", server.Url()});
  REQUIRE(server.process().WaitForStdout("accepted 1000", 120s));
  long before = test::StatusField(linger.pid(), "VmRSS");
  REQUIRE(server.process().WaitForStdout("accepted 10000", 300s));
  long after = test::StatusField(linger.pid(), "VmRSS");
  INFO("VmRSS " << before << " KiB after 1000 attempts, " << after << " KiB after 10000");
  REQUIRE(before > 0);
  // Even 30 bytes kept per attempt would show as 260 KiB.
  CHECK(after - before < 200);
  linger.Signal(SIGTERM);
  CHECK(linger.Wait(10s) == 143);
}
