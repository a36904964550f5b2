// wait-http from the shipped static binary inside an empty root filesystem: names must resolve
// with no NSS libraries, no shell and nothing else around.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "catch.h"
#include "http_server.h"
#include "process.h"

using namespace std::chrono_literals;
using test::Linger;
using test::Run;

namespace {

// An empty directory holding linger and, when given, an /etc/hosts.
struct Root {
  test::TempDir dir;
  explicit Root(const std::string& hosts) {
    std::filesystem::copy_file(Linger(), dir.path() + "/linger");
    std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
    if (hosts.empty()) return;
    std::filesystem::create_directory(dir.path() + "/etc");
    std::ofstream(dir.path() + "/etc/hosts") << hosts;
  }
};

}  // namespace

TEST_CASE("in an empty root, a name from /etc/hosts resolves and every address is tried") {
  if (!test::IsRoot()) LINGER_SKIP("chroot needs root");
  test::HttpServer server({"200"});
  // [::1] comes first and refuses (the server listens on IPv4 only); 127.0.0.1 answers.
  Root root("# test\n::1 backend.test\n127.0.0.1 backend.test backend\n");
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
  Root root("");
  auto r = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout", "10s",
                "http://localhost:" + std::to_string(server.port()) + "/"});
  CHECK(r.status == 0);
  // Any other name has nowhere to come from: no hosts file, and no DNS server on 127.0.0.1.
  auto unknown = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "wait-http", "--timeout",
                      "1s", "--interval", "100ms", "http://backend.test/"});
  CHECK(unknown.status == 1);
  CHECK(unknown.err.find("cannot resolve 'backend.test'") != std::string::npos);
}
