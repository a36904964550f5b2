// Running linger and its helpers as real processes, with every wait bounded by a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The bound for "at once" (a stop signal ending a wait, a signal forwarded): far below any timer
// the command under test runs, far above what a loaded machine under ASan can add.
constexpr Clock::duration kPrompt = std::chrono::seconds(5);

// Path of the linger binary under test (this build's, or $LINGER_TEST_BINARY's: a regression test
// must fail on the release that had the bug), and of a helper executable built beside the tests.
std::string Linger();
std::string Helper(const std::string& name);

// How a process is started: extra environment, and the signal state it inherits.
struct StartOptions {
  std::vector<std::string> env;  // "NAME=value", added to (or replacing) the test's environment
  std::vector<int> blocked;      // signals blocked in the new process
  std::vector<int> ignored;      // signals set to SIG_IGN in the new process
  bool new_session = false;      // setsid(), so that signals to its group reach it alone
};

// A started process whose stdout and stderr go to files that can be read at any time.
class Process {
 public:
  Process(std::vector<std::string> argv, const StartOptions& options = {});
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();  // kills and reaps it if still running

  pid_t pid() const { return pid_; }
  // Sends `sig`; false when the process is gone.
  bool Signal(int sig) const;
  // The exit status (code, or 128+N), or nothing if it is still running at the deadline.
  // When the process is linger, a sanitizer report on its stderr fails the running test, whatever
  // the exit status: a test that expects status 1 would not notice ASan's exit status 1.
  std::optional<int> Wait(Clock::duration timeout);
  // Everything written so far.
  std::string Stdout() const;
  std::string Stderr() const;
  // Polls until Stderr() (or Stdout()) contains `text`; false at the deadline.
  bool WaitForStderr(const std::string& text, Clock::duration timeout = 10s) const;
  bool WaitForStdout(const std::string& text, Clock::duration timeout = 10s) const;

 private:
  pid_t pid_ = -1;
  bool is_linger_ = false;  // linger appears in argv, directly or behind unshare, chroot, ...
  std::optional<int> status_;
  std::string out_path_, err_path_;
};

// Result of a finished process.
struct Finished {
  int status;  // exit code, or 128+N; -1 when it did not finish in time (and was killed)
  std::string out, err;
  Clock::duration elapsed;
};

// Runs argv to completion, killing it after `timeout`.
Finished Run(std::vector<std::string> argv, Clock::duration timeout = 20s,
             const StartOptions& options = {});

// The first line of an ASan, LSan or UBSan report in `err`, or "" when there is none.
std::string SanitizerReport(const std::string& err);

// Polls `done` every few milliseconds until it is true or `timeout` passes.
template <typename F>
bool Eventually(F done, Clock::duration timeout = 10s) {
  auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    struct timespec pause = {0, 5'000'000};
    nanosleep(&pause, nullptr);
  }
  return true;
}

// A fresh directory under /tmp, removed with its contents when this goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Reads a whole file ("" when missing).
std::string ReadFile(const std::string& path);

// Counts the lines of `text`.
size_t LineCount(const std::string& text);

// True when `part` occurs in `text`.
bool Contains(const std::string& text, const std::string& part);

// How often `part` occurs in `text`.
size_t Count(const std::string& text, const std::string& part);

// Checks that `err` is one line, as every message of linger that ends its work is: it starts with
// `prefix` and contains `part`.
void CheckOneLine(const std::string& err, const std::string& prefix, const std::string& part = "");

// Checks a usage error: status 2, nothing on stdout, and one line on stderr that starts with
// `prefix` and names `word`.
void CheckUsageError(const Finished& r, const std::string& word,
                     const std::string& prefix = "linger: ");

// One line of the signal_logger helper's output: a signal that it (or its forked child) received.
struct Received {
  pid_t pid;
  int sig;
  Clock::time_point at;  // CLOCK_MONOTONIC, which is steady_clock's clock on Linux
};

// The signals that signal_logger, run by `p`, has logged so far.
std::vector<Received> ReceivedSignals(const Process& p);

// How often the logged process `pid` (any, when 0) received `sig`.
size_t CountReceived(const Process& p, int sig, pid_t pid = 0);

// Starts `linger exec-with-delay LINGER_ARGS -- signal_logger LOGGER_ARGS` and waits until the
// logger is ready for signals.
std::unique_ptr<Process> StartLogged(const std::vector<std::string>& linger_args,
                                     const std::vector<std::string>& logger_args = {},
                                     const StartOptions& options = {});

// The names in `dir`, sorted, without "." and "..": shows a temporary file left behind.
std::vector<std::string> Entries(const std::string& dir);

bool IsRoot();

}  // namespace test
