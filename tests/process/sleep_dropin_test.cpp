// linger called by the name `sleep`, run as a real process beside coreutils' own sleep.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "catch.h"
#include "proc.h"
#include "process.h"

using namespace std::chrono_literals;
using test::Linger;
using test::Process;
using test::Run;

namespace {

// A directory holding a symlink named sleep that points at linger.
struct SleepLink {
  test::TempDir dir;
  std::string path = dir.path() + "/sleep";
  SleepLink() { std::filesystem::create_symlink(Linger(), path); }
};

// coreutils' sleep on this machine, or "" when there is none.
std::string CoreutilsSleep() {
  for (const char* path : {"/bin/sleep", "/usr/bin/sleep"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// `line` with its leading "PROGRAM" replaced by `by`, so that lines of two programs compare.
std::string Renamed(std::string line, const std::string& program, const std::string& by) {
  size_t at = line.find(program);
  if (at != std::string::npos) line.replace(at, program.size(), by);
  return line;
}

// True once `pid` runs `program` and waits for the stop signals. linger answering as sleep prints
// nothing when it starts, so this is how a test knows. The program must be checked too: unshare
// blocks SIGTERM around its fork, and a SIGTERM sent then would reach PID 1 with no handler.
bool Waiting(pid_t pid, const std::string& program) {
  std::string cmdline = test::CommandLine(pid);
  return cmdline.starts_with(program + '\0') && test::SignalBlocked(pid, SIGTERM);
}

}  // namespace

TEST_CASE("sleep answers as coreutils sleep does: status, first line, time slept") {
  std::string coreutils = CoreutilsSleep();
  if (coreutils.empty()) LINGER_SKIP("no coreutils sleep to compare with");
  SleepLink sleep;
  struct Case {
    std::vector<std::string> args;
    int status;
    test::Clock::duration sum;  // of valid operands
  };
  const Case cases[] = {
      {{"0.2"}, 0, 200ms},
      {{".2"}, 0, 200ms},
      {{"0.1s"}, 0, 100ms},
      {{"0.1", "0.1"}, 0, 200ms},
      {{"0.001m"}, 0, 60ms},
      {{"1e-1"}, 0, 100ms},
      {{"--", "-0"}, 0, 0ms},
      {{"--"}, 0, 0ms},
      {{"--", "0.1"}, 0, 100ms},
      {{""}, 1, 0ms},
      {{"x"}, 1, 0ms},
      {{"-1"}, 1, 0ms},
      {{"1y"}, 1, 0ms},
      {{"0.1", "x"}, 1, 0ms},
      {{}, 1, 0ms},
      {{"--x"}, 1, 0ms},
      {{"--help=1"}, 1, 0ms},
      {{"--help"}, 0, 0ms},
      {{"x", "--he"}, 0, 0ms},
      {{"--version"}, 0, 0ms},
  };
  test::StartOptions c_locale;
  c_locale.env = {"LC_ALL=C"};  // coreutils' quotes are then ASCII, as linger's always are
  for (const Case& c : cases) {
    std::string words;
    for (const std::string& a : c.args) words += "[" + a + "] ";
    INFO("sleep " << words);
    std::vector<std::string> theirs_argv = {coreutils}, ours_argv = {sleep.path};
    theirs_argv.insert(theirs_argv.end(), c.args.begin(), c.args.end());
    ours_argv.insert(ours_argv.end(), c.args.begin(), c.args.end());
    auto theirs = Run(theirs_argv, 20s, c_locale);
    auto ours = Run(ours_argv);
    REQUIRE(theirs.status == c.status);
    CHECK(ours.status == c.status);
    if (c.status == 0 && !theirs.out.empty()) {  // --help or --version
      std::string first = FirstLine(ours.out);
      if (c.args.back() == "--version") {
        CHECK(first == "sleep (linger) " LINGER_VERSION_FOR_TESTS);
      } else {
        CHECK(first == Renamed(FirstLine(theirs.out), coreutils, sleep.path));
      }
      CHECK(ours.err.empty());
    } else if (c.status == 0) {
      CHECK(theirs.elapsed >= c.sum);
      CHECK(ours.elapsed >= c.sum);
      CHECK(ours.elapsed < c.sum + 10s);
      CHECK(ours.out.empty());
      CHECK(ours.err.empty());  // it prints nothing, as coreutils does
    } else {
      CHECK(ours.out.empty());
      CHECK(FirstLine(ours.err) == Renamed(FirstLine(theirs.err), coreutils, sleep.path));
    }
  }
}

TEST_CASE("sleep -- is no operand, not a missing one: exits 0 at once and silently") {
  SleepLink sleep;
  auto alone = Run({sleep.path, "--"});
  CHECK(alone.status == 0);
  CHECK(alone.out.empty());
  CHECK(alone.err.empty());
  CHECK(alone.elapsed < 10s);
  auto operand = Run({sleep.path, "--", "0.3"});
  CHECK(operand.status == 0);
  CHECK(operand.err.empty());
  CHECK(operand.elapsed >= 300ms);
  auto none = Run({sleep.path});
  CHECK(none.status == 1);
  CHECK(none.err == sleep.path + ": missing operand\n");
}

TEST_CASE("sleep reports every bad operand and quotes unprintable bytes") {
  SleepLink sleep;
  auto r = Run({sleep.path, "a\x1b[2Jb", "1", "y"});
  CHECK(r.status == 1);
  CHECK(r.err == sleep.path + ": invalid time interval 'a\\x1b[2Jb'\n" + sleep.path +
                     ": invalid time interval 'y'\n");
}

TEST_CASE("a copy named sleep is sleep, under any other name the file is linger") {
  test::TempDir dir;
  std::string copy = dir.path() + "/sleep";
  std::filesystem::copy_file(Linger(), copy);
  std::filesystem::permissions(copy, std::filesystem::perms(0755));
  auto slept = Run({copy, "0.1"});
  CHECK(slept.status == 0);
  CHECK(slept.elapsed >= 100ms);
  CHECK(slept.out.empty());
  CHECK(slept.err.empty());
  auto missing = Run({copy});
  CHECK(missing.status == 1);
  CHECK(missing.err == copy + ": missing operand\n");
  // Found on PATH, as a hook's ["sleep", "20"] is: the name as called is then just "sleep".
  auto on_path = Run({"/usr/bin/env", "PATH=" + dir.path(), "sleep", "x"});
  CHECK(on_path.status == 1);
  CHECK(on_path.err == "sleep: invalid time interval 'x'\n");

  std::string other = dir.path() + "/sleepy";
  std::filesystem::create_symlink(Linger(), other);
  auto linger = Run({other, "sleep", "0", "--quiet"});
  CHECK(linger.status == 0);
  auto bare = Run({other, "0"});
  CHECK(bare.status == 2);
  CHECK(bare.err == "linger: unknown command '0' (try 'linger --help')\n");
}

TEST_CASE("SIGTERM, SIGINT and SIGHUP end sleep at once with 128+N, silently") {
  SleepLink sleep;
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    INFO(sig);
    Process p({sleep.path, "infinity"});
    REQUIRE(test::Eventually([&] { return Waiting(p.pid(), sleep.path); }));
    auto sent = test::Clock::now();
    p.Signal(sig);
    REQUIRE(p.Wait(10s) == 128 + sig);
    CHECK(test::Clock::now() - sent < test::kPrompt);
    CHECK(p.Stderr().empty());
  }
}

TEST_CASE("a stop signal inherited as ignored stays ignored in sleep (nohup sleep)") {
  SleepLink sleep;
  test::StartOptions options;
  options.ignored = {SIGHUP};
  Process p({sleep.path, "1d"}, options);
  REQUIRE(test::Eventually([&] { return Waiting(p.pid(), sleep.path); }));
  CHECK_FALSE(test::SignalBlocked(p.pid(), SIGHUP));
  p.Signal(SIGHUP);
  CHECK_FALSE(p.Wait(300ms).has_value());
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
}

TEST_CASE("sleep as PID 1 of a new pid namespace still ends with 143 on SIGTERM") {
  if (!test::IsRoot()) LINGER_SKIP("creating a pid namespace needs root");
  SleepLink sleep;
  Process p({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", sleep.path, "infinity"});
  // unshare --fork makes sleep PID 1 inside; its host pid is unshare's only child.
  pid_t inner = 0;
  REQUIRE(test::Eventually([&] {
    auto children = test::Children(p.pid());
    if (children.empty()) return false;
    inner = children[0];
    return Waiting(inner, sleep.path);
  }));
  CHECK(test::NamespacePids(inner) == std::vector<pid_t>{inner, 1});
  auto sent = test::Clock::now();
  REQUIRE(kill(inner, SIGTERM) == 0);
  CHECK(p.Wait(10s) == 143);
  CHECK(test::Clock::now() - sent < test::kPrompt);
}
