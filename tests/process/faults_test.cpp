// Faults and hostile surroundings a container can meet: a log nobody reads, a file-size limit, a
// full stdout, no descriptor left, files that are no executable, killed installs, control bytes in
// arguments. Each case once ended linger's work early, hung it, or gave a wrong diagnosis.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "catch.h"
#include "proc.h"
#include "process.h"
#include "scripted_server.h"

using namespace std::chrono_literals;
using test::CheckOneLine;
using test::Contains;
using test::Entries;
using test::Helper;
using test::Linger;
using test::Process;
using test::Run;

namespace {

// A loopback port that nothing listens on: attempts to it fail at once.
const std::string kRefusingUrl = "http://127.0.0.1:1/";

// argv with `prefix` in front (a helper or a tool that sets up the surroundings).
std::vector<std::string> Under(std::vector<std::string> prefix, std::vector<std::string> argv) {
  prefix.insert(prefix.end(), argv.begin(), argv.end());
  return prefix;
}

// Writes `bytes` to `path` as an executable file.
void WriteExecutable(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  std::filesystem::permissions(path, std::filesystem::perms(0755));
}

// True when `text` is one line of valid UTF-8 without control characters, ending in '\n'.
bool IsOneCleanLine(const std::string& text) {
  if (text.empty() || text.back() != '\n') return false;
  for (size_t i = 0; i + 1 < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xc2) || c > 0xf4) return false;
    if (i + length > text.size() - 1) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

TEST_CASE("sleep and wait-http no longer die of SIGPIPE when stderr is a pipe nobody reads") {
  // linger sleep 0.3 2>&1 | true: the start line cannot be written; the pause must still happen.
  auto slept = Run({Helper("closed_pipe"), Linger(), "sleep", "0.3"});
  CHECK(slept.status == 0);
  CHECK(slept.elapsed >= 300ms);
  auto waited =
      Run({Helper("closed_pipe"), Linger(), "wait-http", "--timeout", "0.3s", kRefusingUrl});
  CHECK(waited.status == 1);
  CHECK(waited.elapsed >= 300ms);
  // COMMAND gets SIGPIPE back as linger inherited it.
  auto direct = Run({Helper("closed_pipe"), Helper("signal_state")});
  REQUIRE(direct.status == 0);
  auto wrapped = Run({Helper("closed_pipe"), Linger(), "sleep", "0", "--", Helper("signal_state")});
  CHECK(wrapped.status == 0);
  CHECK(wrapped.out == direct.out);
}

TEST_CASE("sleep and wait-http no longer die of SIGXFSZ when the log is over the file-size limit") {
  test::TempDir dir;
  // The log is already at the limit; COMMAND's own output, on a fresh file, stays below it.
  const std::string log = dir.path() + "/linger.log";
  const std::string full_log(4096, '.');
  std::ofstream(log) << full_log;
  const std::vector<std::string> limited = {"/usr/bin/prlimit", "--fsize=4096", "--"};
  auto slept = Run(Under(limited, {Linger(), "sleep", "0.3", "--log", log}));
  CHECK(slept.status == 0);
  CHECK(slept.elapsed >= 300ms);
  auto waited =
      Run(Under(limited, {Linger(), "wait-http", "--timeout", "0.3s", "--log", log, kRefusingUrl}));
  CHECK(waited.status == 1);
  CHECK(waited.elapsed >= 300ms);
  CHECK(test::ReadFile(log) == full_log);
  // COMMAND gets SIGXFSZ back as linger inherited it.
  auto direct = Run(Under(limited, {Helper("signal_state")}));
  REQUIRE(direct.status == 0);
  auto wrapped =
      Run(Under(limited, {Linger(), "sleep", "0", "--log", log, "--", Helper("signal_state")}));
  CHECK(wrapped.status == 0);
  CHECK(wrapped.out == direct.out);
}

TEST_CASE("a COMMAND that is no executable format is 126 Exec format error, never run by a shell") {
  test::TempDir dir;
  // A script without "#!", which glibc's execvp would hand to /bin/sh.
  const std::string script = dir.path() + "/no-interpreter-line";
  WriteExecutable(script, "echo ran by a shell\nexit 3\n");
  // An ELF cut short, and an ELF for another machine (MMIX, which no binfmt handler runs).
  const std::string elf = test::ReadFile("/bin/true");
  REQUIRE(elf.size() > 64);
  const std::string truncated = dir.path() + "/truncated-elf";
  WriteExecutable(truncated, elf.substr(0, 64));
  std::string foreign_elf = elf;
  foreign_elf[18] = 80;  // e_machine: EM_MMIX
  foreign_elf[19] = 0;
  const std::string foreign = dir.path() + "/foreign-elf";
  WriteExecutable(foreign, foreign_elf);

  for (const std::string& command : {script, truncated, foreign}) {
    INFO(command);
    auto r = Run({Linger(), "exec-with-delay", command});
    CHECK(r.status == 126);
    CHECK(r.out.empty());
    CHECK(Contains(r.err, "cannot run '" + command + "': Exec format error"));
  }
  // sleep and wait-http exec COMMAND in place of linger, the same way.
  test::HttpServer ready({"200"});
  for (std::vector<std::string> argv : {
           std::vector<std::string>{Linger(), "sleep", "0", "--", script},
           std::vector<std::string>{Linger(), "wait-http", ready.Url(), "--", script},
       }) {
    INFO(argv[1]);
    auto r = Run(argv);
    CHECK(r.status == 126);
    CHECK(r.out.empty());
    CHECK(Contains(r.err, "cannot run '" + script + "': Exec format error"));
  }
  // Found through PATH, the same.
  auto found = Run(
      {"/usr/bin/env", "PATH=" + dir.path(), Linger(), "exec-with-delay", "no-interpreter-line"});
  CHECK(found.status == 126);
  CHECK(found.out.empty());
  CHECK(Contains(found.err, "Exec format error"));
}

TEST_CASE("as PID 1, a SIGTERM that arrives before -- COMMAND is exec'd is no longer lost") {
  if (!test::IsRoot()) LINGER_SKIP("creating a pid namespace needs root");
  // A PATH of 20,000 directories that do not exist makes the search for COMMAND, between the end
  // of the wait and the exec, long enough to send a signal into. As PID 1 with no handler, the
  // kernel drops the signal: linger must see it while it is still blocked, or catch it.
  std::string path;
  for (int i = 0; i < 20'000; ++i) path += "/n:";
  path += "/bin";
  // The kernel keeps 15 bytes of the file name.
  const std::string comm = std::filesystem::path(Linger()).filename().string().substr(0, 15);
  bool landed = false;
  for (int attempt = 0; attempt < 5 && !landed; ++attempt) {
    Process p({"/usr/bin/env", "PATH=" + path, "/usr/bin/unshare", "--pid", "--fork",
               "--mount-proc", Linger(), "sleep", "0", "--", "true"});
    REQUIRE(p.WaitForStderr("sleeping 0s"));
    auto children = test::Children(p.pid());
    REQUIRE(children.size() == 1);
    pid_t linger = children[0];
    REQUIRE(kill(linger, SIGTERM) == 0);
    // Still linger after the signal was sent: it arrived before the exec.
    landed = test::Comm(linger) == comm;
    auto status = p.Wait(10s);
    if (!landed) continue;
    CHECK(status.value_or(-1) == 143);
    CHECK(Contains(p.Stderr(), "SIGTERM after"));
  }
  CHECK(landed);
}

TEST_CASE("version, help and install no longer exit 0 when stdout cannot be written") {
  test::TempDir dir;
  for (std::vector<std::string> argv : {
           std::vector<std::string>{Linger(), "version"},
           std::vector<std::string>{Linger(), "help"},
           std::vector<std::string>{Linger(), "sleep", "--help"},
           std::vector<std::string>{Linger(), "install", dir.path()},
       }) {
    INFO(argv[1]);
    auto r = Run(Under({"/bin/sh", "-c", "exec \"$@\" >/dev/full", "sh"}, argv));
    CHECK(r.status == 1);
    CheckOneLine(r.err, "linger: ", "No space left on device");
  }
}

TEST_CASE("a delay whose timer cannot be created (no descriptor left) is coarse, not a busy loop") {
  // COMMAND is found through PATH, which formats a path before the limit is lowered: in the
  // sanitized build, UBSan's first check of a virtual call opens a pipe to probe memory, and
  // without a descriptor for it would report a false error.
  const std::string helpers = std::filesystem::path(Helper("signal_logger")).parent_path();
  Process p({"/usr/bin/env", "PATH=" + helpers, Linger(), "exec-with-delay", "--delay", "1",
             "--signal", "USR1", "--", "signal_logger", std::to_string(SIGTERM)});
  REQUIRE(p.WaitForStdout("ready"));
  // The open-file limit at the lowest free descriptor: no new descriptor, so no timerfd.
  int lowest_free = test::LowestFreeDescriptor(p.pid());
  struct rlimit limit = {static_cast<rlim_t>(lowest_free), static_cast<rlim_t>(lowest_free)};
  REQUIRE(prlimit(p.pid(), RLIMIT_NOFILE, &limit, nullptr) == 0);
  auto before = test::Stat(p.pid());
  REQUIRE(before.has_value());
  auto sent = test::Clock::now();
  p.Signal(SIGTERM);
  // The delay ends on time all the same, with the signal passed on.
  REQUIRE(p.WaitForStdout(" " + std::to_string(SIGUSR1) + " "));
  CHECK(test::Clock::now() - sent >= 1s);
  auto after = test::Stat(p.pid());
  REQUIRE(after.has_value());
  // A busy loop would use most of that second; a coarse wait wakes up a few times.
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  INFO("CPU time during the 1 s delay: " << after->cpu_ticks - before->cpu_ticks << " of "
                                         << ticks_per_second << " ticks");
  CHECK(after->cpu_ticks - before->cpu_ticks < ticks_per_second / 4);
  // One warning that names the cause, not a line per wake-up.
  std::string err = p.Stderr();
  INFO(err.substr(0, 1000));
  CHECK(test::LineCount(err) <= 4);
  // The reason is EMFILE, in the words of linger's C library (glibc and musl differ).
  CHECK(Contains(err, "linger: warning: cannot create a timer ("));
  p.Signal(SIGTERM);
  CHECK(p.Wait(10s) == 143);
}

TEST_CASE("install's temporary name no longer grows with --name: a 250-character name works") {
  test::TempDir dir;
  const std::string name(250, 'n');
  auto r = Run({Linger(), "install", "--name", name, dir.path()});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(Entries(dir.path()) == std::vector<std::string>{name});
}

TEST_CASE("the temporary file of a killed install is removed by the next one, a live one's kept") {
  test::TempDir dir;
  // Over the file-size limit, the copy is killed by SIGXFSZ half-way: a real interrupted install.
  auto killed = Run({"/usr/bin/prlimit", "--fsize=4096", "--", Linger(), "install", dir.path()});
  REQUIRE(killed.status == 128 + SIGXFSZ);
  REQUIRE(Entries(dir.path()).size() == 1);
  REQUIRE(Entries(dir.path())[0] != "linger");
  // A temporary file that an install still writes holds a lock on it.
  const std::string live = dir.path() + "/.linger-install.1.0";
  struct Held {
    int fd;
    ~Held() { close(fd); }
  } held{open(live.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)};
  REQUIRE(held.fd >= 0);
  REQUIRE(flock(held.fd, LOCK_EX) == 0);

  auto r = Run({Linger(), "install", dir.path()});
  CHECK(r.status == 0);
  CHECK(Entries(dir.path()) == std::vector<std::string>{".linger-install.1.0", "linger"});
}

TEST_CASE("control characters in arguments are escaped in error lines, UTF-8 is not cut") {
  for (std::vector<std::string> argv : {
           std::vector<std::string>{Linger(), "sleep", "\x1b[31m5"},
           std::vector<std::string>{Linger(), "no\ncommand"},
           std::vector<std::string>{Linger(), "sleep", "--bogus\r\x07", "1"},
           std::vector<std::string>{Linger(), "exec-with-delay", "--signal", "\x1b]0;title\x07",
                                    "true"},
           std::vector<std::string>{Linger(), "sleep", "\xc2"},
       }) {
    INFO(argv[1] << " " << argv.back());
    auto r = Run(argv);
    CHECK(r.status == 2);
    CHECK(IsOneCleanLine(r.err));
  }
  auto escaped = Run({Linger(), "sleep", "\x1b[31m5"});
  CHECK(Contains(escaped.err, "'\\x1b[31m5'"));
  // A unit without a number: the message keeps the two-byte µ whole.
  auto micro = Run({Linger(), "sleep", "µs"});
  CHECK(micro.status == 2);
  CHECK(IsOneCleanLine(micro.err));
  CHECK(Contains(micro.err, "µs"));
}
