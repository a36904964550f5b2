// linger install, run as a real process: the initContainer that puts linger into an emptyDir.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "catch.h"
#include "proc.h"
#include "process.h"

using namespace std::chrono_literals;
using test::CheckOneLine;
using test::CheckUsageError;
using test::Contains;
using test::Entries;
using test::Linger;
using test::Run;

namespace {

struct stat Stat(const std::string& path) {
  struct stat st = {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st;
}

}  // namespace

TEST_CASE("install copies linger byte for byte with mode 0755 and prints the path") {
  test::TempDir dir;
  auto r = Run({Linger(), "install", dir.path()});
  CHECK(r.status == 0);
  CHECK(r.out == dir.path() + "/linger\n");
  CHECK(r.err.empty());
  CHECK(test::ReadFile(dir.path() + "/linger") == test::ReadFile(Linger()));
  CHECK((Stat(dir.path() + "/linger").st_mode & 07777) == 0755);
  CHECK(Entries(dir.path()) == std::vector<std::string>{"linger"});

  // The copy is a working linger.
  auto version = Run({dir.path() + "/linger", "--version"});
  CHECK(version.status == 0);
  CHECK(version.out.rfind("linger ", 0) == 0);
}

TEST_CASE("install takes --name, and a DIR with a trailing slash") {
  test::TempDir dir;
  auto r = Run({Linger(), "install", "--name=graceful", dir.path() + "/"});
  CHECK(r.status == 0);
  CHECK(r.out == dir.path() + "/graceful\n");
  auto after = Run({Linger(), "install", dir.path(), "--name", "other", "--quiet"});
  CHECK(after.status == 0);
  CHECK(after.err.empty());
  CHECK(Entries(dir.path()) == std::vector<std::string>{"graceful", "other"});
  CHECK(test::ReadFile(dir.path() + "/other") == test::ReadFile(Linger()));
}

TEST_CASE("install sets mode 0755 whatever the umask") {
  test::TempDir dir;
  auto r = Run({"/bin/sh", "-c", "umask 077 && exec \"$0\" install \"$1\"", Linger(), dir.path()});
  CHECK(r.status == 0);
  CHECK((Stat(dir.path() + "/linger").st_mode & 07777) == 0755);
}

TEST_CASE("re-installing replaces the file while the installed copy is running (no ETXTBSY)") {
  test::TempDir dir;
  const std::string installed = dir.path() + "/linger";
  // An older, different file in place first: re-running must overwrite it.
  REQUIRE(Run({"/bin/cp", "/bin/true", installed}).status == 0);
  REQUIRE(Run({Linger(), "install", dir.path()}).status == 0);
  CHECK(test::ReadFile(installed) == test::ReadFile(Linger()));

  test::Process running({installed, "sleep", "infinity"});
  REQUIRE(running.WaitForStderr("sleeping infinity"));
  const ino_t before = Stat(installed).st_ino;

  auto again = Run({Linger(), "install", dir.path()});
  CHECK(again.status == 0);
  CHECK(again.err.empty());
  // A new file took the name; the running process keeps the old one, which is now unlinked.
  CHECK(Stat(installed).st_ino != before);
  CHECK(test::ReadFile(installed) == test::ReadFile(Linger()));
  CHECK(Contains(test::Executable(running.pid()), "(deleted)"));

  // The installed copy can replace itself too, while it runs.
  auto self = Run({installed, "install", dir.path()});
  CHECK(self.status == 0);
  CHECK(Entries(dir.path()) == std::vector<std::string>{"linger"});

  // The running copy was not disturbed: it still sleeps and still answers SIGTERM.
  CHECK_FALSE(running.Wait(200ms).has_value());
  running.Signal(SIGTERM);
  CHECK(running.Wait(10s) == 143);
}

TEST_CASE("install fails with 1 and the reason when DIR is missing or not a directory") {
  test::TempDir dir;
  const std::string missing = dir.path() + "/missing";
  auto r = Run({Linger(), "install", missing});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "linger: install: cannot open directory '" + missing + "': No such file or directory\n");

  auto file = Run({Linger(), "install", "/etc/hostname"});
  CHECK(file.status == 1);
  CHECK(file.err == "linger: install: cannot open directory '/etc/hostname': Not a directory\n");
}

TEST_CASE("install fails with 1 when NAME is a directory, and leaves no temporary file") {
  test::TempDir dir;
  REQUIRE(mkdir((dir.path() + "/linger").c_str(), 0755) == 0);
  auto r = Run({Linger(), "install", dir.path()});
  CHECK(r.status == 1);
  CheckOneLine(r.err, "linger: install: cannot rename into '" + dir.path() + "/linger'");
  CHECK(Entries(dir.path()) == std::vector<std::string>{"linger"});
}

TEST_CASE("install replaces a symlink at DIR/NAME instead of writing through it") {
  test::TempDir dir;
  const std::string target = dir.path() + "/target";
  REQUIRE(Run({"/bin/sh", "-c", "echo keep > \"$0\"", target}).status == 0);
  REQUIRE(symlink(target.c_str(), (dir.path() + "/linger").c_str()) == 0);
  auto r = Run({Linger(), "install", dir.path()});
  CHECK(r.status == 0);
  struct stat st = {};
  REQUIRE(lstat((dir.path() + "/linger").c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK(test::ReadFile(target) == "keep\n");
}

TEST_CASE("install usage errors exit 2 and name the value") {
  test::TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{}, "missing DIR"},
      {{dir.path(), "extra"}, "'extra'"},
      {{"--name", "", dir.path()}, "--name: '' must not be empty"},
      {{"--name", ".", dir.path()}, "--name: '.' must not be '.' or '..'"},
      {{"--name", "..", dir.path()}, "--name: '..' must not be '.' or '..'"},
      {{"--name", "a/b", dir.path()}, "--name: 'a/b' must not contain '/'"},
      {{"--nmae", "x", dir.path()}, "--nmae"},
      {{dir.path(), "--", "/bin/true"}, "'/bin/true'"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {Linger(), "install"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    INFO(c.message);
    CheckUsageError(Run(argv), c.message);
  }
  CHECK(Entries(dir.path()).empty());
}

TEST_CASE("install works as the distroless user 65532 into a directory it owns") {
  if (!test::IsRoot()) LINGER_SKIP("changing user needs root");
  // linger itself from a directory every user may enter, since the build tree may not be.
  test::TempDir bin;
  const std::string linger = bin.path() + "/linger";
  std::filesystem::copy_file(Linger(), linger);
  std::filesystem::permissions(bin.path(), std::filesystem::perms(0755));
  std::filesystem::permissions(linger, std::filesystem::perms(0755));

  test::TempDir owned;
  REQUIRE(chown(owned.path().c_str(), 65532, 65532) == 0);
  const std::vector<std::string> as_user = {"/usr/bin/setpriv", "--reuid=65532", "--regid=65532",
                                            "--clear-groups"};

  auto argv = as_user;
  argv.insert(argv.end(), {linger, "install", owned.path()});
  auto r = Run(argv);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  struct stat st = Stat(owned.path() + "/linger");
  CHECK(st.st_uid == 65532);
  CHECK((st.st_mode & 07777) == 0755);
  CHECK(test::ReadFile(owned.path() + "/linger") == test::ReadFile(Linger()));

  // A directory it does not own is refused with the reason, not half written.
  test::TempDir foreign;
  std::filesystem::permissions(foreign.path(), std::filesystem::perms(0755));
  argv = as_user;
  argv.insert(argv.end(), {linger, "install", foreign.path()});
  auto denied = Run(argv);
  CHECK(denied.status == 1);
  CHECK(denied.err ==
        "linger: install: cannot create a file in '" + foreign.path() + "': Permission denied\n");
  CHECK(Entries(foreign.path()).empty());
}

TEST_CASE("install --name sleep places a sleep that answers as coreutils sleep") {
  test::TempDir dir;
  auto r = Run({Linger(), "install", "--name", "sleep", dir.path()});
  CHECK(r.status == 0);
  CHECK(r.out == dir.path() + "/sleep\n");
  auto slept = Run({dir.path() + "/sleep", "0.1"});
  CHECK(slept.status == 0);
  CHECK(slept.elapsed >= 100ms);
  CHECK(slept.err.empty());
  auto bad = Run({dir.path() + "/sleep", "20x"});
  CHECK(bad.status == 1);
  CHECK(bad.err == dir.path() + "/sleep: invalid time interval '20x'\n");
}
