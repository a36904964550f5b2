// linger sleep, run as a real process.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catch.h"
#include "proc.h"
#include "process.h"

using namespace std::chrono_literals;
using test::Contains;
using test::Linger;
using test::Process;
using test::Run;

TEST_CASE("sleep waits at least the duration and exits 0") {
  auto r = Run({Linger(), "sleep", "0.3"});
  CHECK(r.status == 0);
  CHECK(r.elapsed >= 300ms);
  CHECK(r.elapsed < 10s);
  CHECK(r.out.empty());
  CHECK(r.err == "linger: sleeping 300ms\n");
}

TEST_CASE("sleep accepts every duration form, and options after the duration") {
  for (const char* d : {"0", "0s", "10ms", "0.01", "1500us", ".01s", "0m0.01s0ms"}) {
    INFO(d);
    auto r = Run({Linger(), "sleep", d, "--quiet"});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE("SIGTERM, SIGINT and SIGHUP end sleep promptly with 128+N") {
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    INFO(sig);
    Process p({Linger(), "sleep", "infinity"});
    REQUIRE(p.WaitForStderr("sleeping infinity"));
    auto sent = test::Clock::now();
    p.Signal(sig);
    auto status = p.Wait(10s);
    REQUIRE(status.has_value());
    CHECK(*status == 128 + sig);
    CHECK(test::Clock::now() - sent < test::kPrompt);
  }
}

TEST_CASE("interrupted system calls never shorten the wait") {
  Process p({Linger(), "sleep", "0.6"});
  auto start = test::Clock::now();
  REQUIRE(p.WaitForStderr("sleeping"));
  // Stop and continue make the kernel restart the wait; other signals are not stop signals.
  for (int sig : {SIGSTOP, SIGCONT, SIGWINCH, SIGCHLD, SIGURG}) p.Signal(sig);
  auto status = p.Wait(10s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(test::Clock::now() - start >= 600ms);
}

TEST_CASE("a stop signal inherited as ignored stays ignored (nohup)") {
  test::StartOptions options;
  options.ignored = {SIGHUP};
  Process p({Linger(), "sleep", "infinity"}, options);
  REQUIRE(p.WaitForStderr("sleeping"));
  p.Signal(SIGHUP);
  CHECK_FALSE(p.Wait(300ms).has_value());
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
}

TEST_CASE("sleep then exec replaces linger with COMMAND and its exit status") {
  auto r = Run({Linger(), "sleep", "0.1", "--", "/bin/sh", "-c", "echo $0 $1; exit 7", "a", "b"});
  CHECK(r.status == 7);
  CHECK(r.out == "a b\n");
}

TEST_CASE("the exec'd COMMAND keeps linger's pid and inherited signal state") {
  test::StartOptions options;
  options.blocked = {SIGUSR1, SIGWINCH};
  options.ignored = {SIGUSR2, SIGHUP};
  auto direct = Run({test::Helper("signal_state")}, 10s, options);
  REQUIRE(direct.status == 0);
  auto wrapped = Run({Linger(), "sleep", "0", "--", test::Helper("signal_state")}, 10s, options);
  CHECK(wrapped.status == 0);
  CHECK(wrapped.out == direct.out);
  CHECK(Contains(wrapped.out, "SigBlk:\t0000000008000200"));

  Process same_pid({Linger(), "sleep", "0", "--", "/bin/sh", "-c", "echo $$"});
  REQUIRE(same_pid.Wait(10s) == 0);
  CHECK(same_pid.Stdout() == std::to_string(same_pid.pid()) + "\n");
}

TEST_CASE("a COMMAND that is missing is 127, one that cannot run is 126, both named") {
  auto missing = Run({Linger(), "sleep", "0", "--", "/nonexistent/app"});
  CHECK(missing.status == 127);
  CHECK(Contains(missing.err, "'/nonexistent/app'"));
  auto not_in_path = Run({Linger(), "sleep", "0", "--", "no-such-command-anywhere"});
  CHECK(not_in_path.status == 127);
  test::TempDir dir;
  std::string script = dir.path() + "/not-executable";
  REQUIRE(Run({"/bin/cp", "/bin/true", script}).status == 0);
  REQUIRE(Run({"/bin/chmod", "0644", script}).status == 0);
  auto denied = Run({Linger(), "sleep", "0", "--", script});
  CHECK(denied.status == 126);
  CHECK(Contains(denied.err, script));
}

TEST_CASE("quiet silences informational lines, log appends them to a file") {
  auto quiet = Run({Linger(), "sleep", "--quiet", "0"});
  CHECK(quiet.status == 0);
  CHECK(quiet.err.empty());

  test::TempDir dir;
  std::string log = dir.path() + "/hook.log";
  for (int i = 0; i < 2; ++i) {
    auto r = Run({Linger(), "sleep", "0", "--log", log});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }
  CHECK(test::ReadFile(log) == "linger: sleeping 0s\nlinger: sleeping 0s\n");
}

TEST_CASE("a log file that cannot be opened falls back to stderr with a warning") {
  auto r = Run({Linger(), "sleep", "0", "--log=/nonexistent/dir/log"});
  CHECK(r.status == 0);
  CHECK(Contains(r.err, "linger: warning: cannot open log file '/nonexistent/dir/log'"));
  CHECK(Contains(r.err, "linger: sleeping 0s"));
}

TEST_CASE("a log FIFO that nothing reads falls back to stderr instead of blocking the open") {
  test::TempDir dir;
  std::string fifo = dir.path() + "/log.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
  // Blocked in open(2), it would be killed by Run at the deadline.
  auto r = Run({Linger(), "sleep", "0", "--log", fifo}, 20s);
  CHECK(r.status == 0);
  CHECK(Contains(r.err, "cannot open log file '" + fifo + "': a FIFO that nothing reads"));
  CHECK(Contains(r.err, "linger: sleeping 0s"));
  // With a reader, the lines go to it.
  int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(reader >= 0);
  auto logged = Run({Linger(), "sleep", "0", "--log", fifo}, 10s);
  CHECK(logged.status == 0);
  CHECK(logged.err.empty());
  char buffer[64] = {};
  CHECK(read(reader, buffer, sizeof buffer - 1) > 0);
  CHECK(std::string(buffer) == "linger: sleeping 0s\n");
  close(reader);
}

TEST_CASE("as PID 1 of a new pid namespace, SIGTERM still ends sleep with 143") {
  if (!test::IsRoot()) LINGER_SKIP("creating a pid namespace needs root");
  // unshare --fork makes linger PID 1 inside; its host pid is unshare's only child.
  Process p({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", Linger(), "sleep", "infinity"});
  REQUIRE(p.WaitForStderr("sleeping infinity"));
  auto children = test::Children(p.pid());
  REQUIRE(children.size() == 1);
  pid_t linger_pid = children[0];
  CHECK(test::NamespacePids(linger_pid) == std::vector<pid_t>{linger_pid, 1});
  auto sent = test::Clock::now();
  REQUIRE(kill(linger_pid, SIGTERM) == 0);
  CHECK(p.Wait(10s) == 143);
  CHECK(test::Clock::now() - sent < test::kPrompt);
}
