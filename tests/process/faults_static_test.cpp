// Faults that only the shipped static binary can meet: an address-space limit (the sanitizers of
// the dev build reserve terabytes), and an empty root that has no shell.
#include <filesystem>
#include <fstream>

#include "catch.h"
#include "process.h"

using test::CheckUsageError;
using test::Contains;
using test::Linger;
using test::Run;

TEST_CASE("a 60,000-character unknown command under an 8 MiB address-space limit is no abort") {
  const std::string word(60'000, 'x');
  auto r = Run({"/usr/bin/prlimit", "--as=8388608", "--", Linger(), word});
  CheckUsageError(r, "xxx", "linger: unknown command '");
}

TEST_CASE("in an empty root, a COMMAND without #! is Exec format error 126, not 127 for no shell") {
  if (!test::IsRoot()) LINGER_SKIP("chroot needs root");
  test::TempDir root;
  std::filesystem::copy_file(Linger(), root.path() + "/linger");
  std::filesystem::permissions(root.path(), std::filesystem::perms(0755));
  std::ofstream(root.path() + "/app") << "echo ran by a shell\n";
  std::filesystem::permissions(root.path() + "/app", std::filesystem::perms(0755));
  for (std::vector<std::string> argv : {
           std::vector<std::string>{"exec-with-delay", "/app"},
           std::vector<std::string>{"sleep", "0", "--", "/app"},
       }) {
    INFO(argv[0]);
    std::vector<std::string> full = {"/usr/sbin/chroot", root.path(), "/linger"};
    full.insert(full.end(), argv.begin(), argv.end());
    auto r = Run(full);
    CHECK(r.status == 126);
    CHECK(Contains(r.err, "cannot run '/app': Exec format error"));
  }
}
