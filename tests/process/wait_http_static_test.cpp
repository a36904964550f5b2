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
#include "tls_server.h"

using namespace std::chrono_literals;
using test::Contains;
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
  if (!dns.WaitForStdout("ready")) return "cannot listen on 127.0.0.1:53: " + dns.Stderr();
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
  CHECK(Contains(r.err, "HTTP 200 Scripted"));
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
  CHECK(Contains(unknown.err, "cannot resolve 'backend.test'"));
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
  CHECK(Contains(r.err, "HTTP 200 Scripted"));
  // The first search domain says "no such name", the second has it; A and AAAA both asked.
  std::string queries = dns.Stdout();
  CHECK(Contains(queries, "query backend.ns.test 1\n"));
  CHECK(Contains(queries, "query backend.svc.test 1\n"));
  CHECK(Contains(queries, "query backend.svc.test 28\n"));
  CHECK_FALSE(Contains(queries, "query backend 1\n"));
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
  CHECK(Contains(r.err, "timed out waiting for DNS server 127.0.0.1:53"));

  // No limit of its own at all: SIGTERM still ends the lookup at once.
  size_t seen = test::LineCount(dns.Stdout());
  test::Process p({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout", "0",
                   "--request-timeout", "0", "http://backend.test/"});
  // Once the DNS server has seen this one's first query, linger is waiting for the answer.
  REQUIRE(test::Eventually([&] { return test::LineCount(dns.Stdout()) > seen; }));
  auto sent = test::Clock::now();
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
  CHECK(test::Clock::now() - sent < test::kPrompt);
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

TEST_CASE("https in an empty root: no trust store names --cacert and --insecure") {
  if (!test::IsRoot()) LINGER_SKIP("chroot needs root");
  test::TlsServer server("good.pem");
  Root root(EtcFiles{});
  test::StartOptions no_env;
  no_env.env = {"SSL_CERT_FILE="};  // set but empty counts as unset
  auto r = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout", "1s",
                "--interval", "200ms", server.Url()},
               20s, no_env);
  CHECK(r.status == 1);
  CHECK(Contains(r.err,
                 "no trusted certificate authorities: /etc/ssl/certs/ca-certificates.crt does "
                 "not exist; name a PEM file of them with --cacert FILE, or skip verification "
                 "with --insecure"));
  // --cacert in the root works there, with no /dev/urandom either (the seed comes from getrandom).
  std::filesystem::copy_file(test::Pki::Get().Path("ca.pem"), root.dir.path() + "/ca.pem");
  auto with_ca = Run({"/usr/sbin/chroot", "--userspec=65532:65532", root.dir.path(), "/linger",
                      "wait-http", "--timeout", "5s", "--cacert", "/ca.pem", server.Url()});
  INFO(with_ca.err);
  CHECK(with_ca.status == 0);
}

TEST_CASE("wait-tcp in an empty root: a name from /etc/hosts") {
  if (!test::IsRoot()) LINGER_SKIP("chroot needs root");
  test::HttpServer server({"200"});
  Root root(EtcFiles{{"hosts", "127.0.0.1 database.test\n"}});
  auto r = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-tcp", "--timeout", "5s",
                "database.test:" + std::to_string(server.port())});
  CHECK(r.status == 0);
  CHECK(Contains(r.err, "connected to 127.0.0.1:"));
}

TEST_CASE("1,000 failed TLS handshakes leave descriptors and memory flat") {
  test::TlsServer server("unknown-ca.pem");
  test::Process linger({Linger(), "wait-http", "--quiet", "--interval", "0", "--timeout", "0",
                        "--cacert", test::Pki::Get().Path("ca.pem"), server.Url()});
  auto failed = [&](size_t n) {
    return test::Eventually([&] { return test::Count(server.process().Stdout(), "failed") >= n; },
                            120s);
  };
  REQUIRE(failed(100));
  long memory_before = test::StatusField(linger.pid(), "VmRSS");
  size_t descriptors_before = test::OpenDescriptors(linger.pid());
  REQUIRE(failed(1000));
  long memory_after = test::StatusField(linger.pid(), "VmRSS");
  size_t descriptors_after = test::OpenDescriptors(linger.pid());
  INFO("VmRSS " << memory_before << " KiB after 100 attempts, " << memory_after
                << " KiB after 1000; descriptors " << descriptors_before << ", "
                << descriptors_after);
  REQUIRE(memory_before > 0);
  // 100 bytes kept per handshake would show as 88 KiB.
  CHECK(memory_after - memory_before < 64);
  // One socket may be open in either count, mid-attempt.
  CHECK(descriptors_after <= descriptors_before + 1);
  linger.Signal(SIGTERM);
  CHECK(linger.Wait(10s) == 143);
}
