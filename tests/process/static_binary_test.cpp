// The shipped binary runs with nothing around it: in an empty root, as the distroless user.
// Its ELF headers are checked in tests/binary.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>

#include "catch.h"
#include "proc.h"
#include "process.h"

using namespace std::chrono_literals;
using test::Contains;
using test::Linger;
using test::Run;

namespace {

// Copies linger alone into an empty directory, to be the root of a chroot.
struct EmptyRoot {
  test::TempDir dir;
  EmptyRoot() {
    std::filesystem::copy_file(Linger(), dir.path() + "/linger");
    // The distroless non-root user must be able to enter it.
    std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
  }
};

}  // namespace

TEST_CASE("the binary runs alone in an empty root filesystem") {
  if (!test::IsRoot()) LINGER_SKIP("chroot needs root");
  EmptyRoot root;
  auto version = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "--version"});
  CHECK(version.status == 0);
  CHECK(version.out.rfind("linger ", 0) == 0);
  auto sleep = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "sleep", "0.1"});
  CHECK(sleep.status == 0);
  CHECK(sleep.elapsed >= 100ms);
}

TEST_CASE("the binary runs as the distroless non-root user 65532 in an empty root") {
  if (!test::IsRoot()) LINGER_SKIP("chroot and changing user need root");
  EmptyRoot root;
  for (auto argv : std::vector<std::vector<std::string>>{{"--version"}, {"sleep", "0.1"}}) {
    std::vector<std::string> full = {"/usr/sbin/chroot", "--userspec=65532:65532", root.dir.path(),
                                     "/linger"};
    full.insert(full.end(), argv.begin(), argv.end());
    auto r = Run(full);
    CHECK(r.status == 0);
  }
  test::Process p({"/usr/sbin/chroot", "--userspec=65532:65532", root.dir.path(), "/linger",
                   "sleep", "infinity"});
  REQUIRE(p.WaitForStderr("sleeping infinity"));
  CHECK(Contains(test::ProcStatus(p.pid()), "Uid:\t65532"));
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
}

TEST_CASE("a copy at /bin/sleep of an empty root answers as sleep, as the distroless user") {
  if (!test::IsRoot()) LINGER_SKIP("chroot and changing user need root");
  EmptyRoot root;
  std::filesystem::create_directory(root.dir.path() + "/bin");
  std::filesystem::copy_file(Linger(), root.dir.path() + "/bin/sleep");
  std::vector<std::string> sleep = {"/usr/sbin/chroot", "--userspec=65532:65532", root.dir.path(),
                                    "/bin/sleep"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), sleep.begin(), sleep.end());
    return args;
  };
  auto slept = Run(with({"0.1"}));
  CHECK(slept.status == 0);
  CHECK(slept.elapsed >= 100ms);
  CHECK(slept.err.empty());
  auto bad = Run(with({"x"}));
  CHECK(bad.status == 1);
  CHECK(bad.err == "/bin/sleep: invalid time interval 'x'\n");

  test::Process p(with({"infinity"}));
  // It prints nothing: it is waiting once it runs as 65532 with SIGTERM blocked.
  REQUIRE(test::Eventually([&] {
    return Contains(test::ProcStatus(p.pid()), "Uid:\t65532") &&
           test::SignalBlocked(p.pid(), SIGTERM);
  }));
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
}

TEST_CASE("install in an empty root without /proc says that /proc is missing") {
  if (!test::IsRoot()) LINGER_SKIP("chroot needs root");
  EmptyRoot root;
  auto r = Run({"/usr/sbin/chroot", root.dir.path(), "/linger", "install", "/"});
  CHECK(r.status == 1);
  CHECK(r.err ==
        "linger: install: cannot open '/proc/self/exe': No such file or directory (is /proc "
        "mounted?)\n");
}
