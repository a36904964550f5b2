#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "catch.h"

extern char** environ;

namespace test {

std::string Linger() {
  const char* other = std::getenv("LINGER_TEST_BINARY");
  return other != nullptr && *other != '\0' ? other : LINGER_BIN;
}
std::string Helper(const std::string& name) { return std::string(HELPER_DIR) + "/" + name; }

namespace {

int Decode(int wait_status) {
  return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

std::string MakeTempFile(const char* tag) {
  std::string path = std::string("/tmp/linger-test-") + tag + "-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  return path;
}

}  // namespace

Process::Process(std::vector<std::string> argv, const StartOptions& options)
    : is_linger_(std::find(argv.begin(), argv.end(), Linger()) != argv.end()),
      out_path_(MakeTempFile("out")),
      err_path_(MakeTempFile("err")) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  // A variable of options.env replaces the test's own: getenv() would find the first one.
  auto overridden = [&](const std::string& entry) {
    return std::any_of(options.env.begin(), options.env.end(), [&](const std::string& e) {
      return entry.compare(0, e.find('=') + 1, e, 0, e.find('=') + 1) == 0;
    });
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (!overridden(*e)) env_strings.emplace_back(*e);
  }
  for (const std::string& e : options.env) env_strings.push_back(e);
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  int out = open(out_path_.c_str(), O_WRONLY | O_CLOEXEC);
  int err = open(err_path_.c_str(), O_WRONLY | O_CLOEXEC);
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : options.blocked) sigaddset(&mask, sig);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (options.new_session) setsid();
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    // The test runner's own mask and dispositions must not leak into what is measured.
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    for (int sig : options.ignored) signal(sig, SIG_IGN);
    sigprocmask(SIG_SETMASK, &mask, nullptr);
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  close(out);
  close(err);
}

Process::~Process() {
  if (!status_) {
    kill(pid_, SIGKILL);
    int ignored;
    waitpid(pid_, &ignored, 0);
  }
  unlink(out_path_.c_str());
  unlink(err_path_.c_str());
}

bool Process::Signal(int sig) const { return kill(pid_, sig) == 0; }

std::optional<int> Process::Wait(Clock::duration timeout) {
  bool already_finished = status_.has_value();
  Eventually(
      [&] {
        int wait_status;
        if (waitpid(pid_, &wait_status, WNOHANG) == pid_) status_ = Decode(wait_status);
        return status_.has_value();
      },
      timeout);
  if (status_ && !already_finished && is_linger_) {
    std::string report = SanitizerReport(Stderr());
    if (!report.empty()) FAIL_CHECK("linger's stderr has a sanitizer report: " << report);
  }
  return status_;
}

std::string Process::Stdout() const { return ReadFile(out_path_); }
std::string Process::Stderr() const { return ReadFile(err_path_); }

bool Process::WaitForStderr(const std::string& text, Clock::duration timeout) const {
  return Eventually([&] { return Contains(Stderr(), text); }, timeout);
}

bool Process::WaitForStdout(const std::string& text, Clock::duration timeout) const {
  return Eventually([&] { return Contains(Stdout(), text); }, timeout);
}

Finished Run(std::vector<std::string> argv, Clock::duration timeout, const StartOptions& options) {
  auto start = Clock::now();
  Process p(std::move(argv), options);
  std::optional<int> status = p.Wait(timeout);
  return {status.value_or(-1), p.Stdout(), p.Stderr(), Clock::now() - start};
}

std::string SanitizerReport(const std::string& err) {
  for (const char* marker : {"Sanitizer", "runtime error: "}) {
    size_t at = err.find(marker);
    if (at == std::string::npos) continue;
    size_t begin = err.rfind('\n', at);
    begin = begin == std::string::npos ? 0 : begin + 1;
    return err.substr(begin, err.find('\n', at) - begin);
  }
  return "";
}

TempDir::TempDir() {
  std::string templ = "/tmp/linger-test-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

size_t LineCount(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

size_t Count(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

void CheckOneLine(const std::string& err, const std::string& prefix, const std::string& part) {
  INFO("stderr: " << err);
  CHECK(LineCount(err) == 1);
  CHECK(err.starts_with(prefix));
  CHECK(Contains(err, part));
}

void CheckUsageError(const Finished& r, const std::string& word, const std::string& prefix) {
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CheckOneLine(r.err, prefix, word);
}

std::vector<Received> ReceivedSignals(const Process& p) {
  std::vector<Received> received;
  const std::string out = p.Stdout();
  size_t start = 0;
  for (size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    int pid = 0;
    int sig = 0;
    long long ns = 0;
    // "PID SIGNO NS"; the "ready" lines do not match.
    if (std::sscanf(out.substr(start, end - start).c_str(), "%d %d %lld", &pid, &sig, &ns) == 3) {
      received.push_back({pid, sig, Clock::time_point(std::chrono::nanoseconds(ns))});
    }
  }
  return received;
}

size_t CountReceived(const Process& p, int sig, pid_t pid) {
  const std::vector<Received> received = ReceivedSignals(p);
  return static_cast<size_t>(
      std::count_if(received.begin(), received.end(),
                    [&](const Received& r) { return r.sig == sig && (pid == 0 || r.pid == pid); }));
}

std::unique_ptr<Process> StartLogged(const std::vector<std::string>& linger_args,
                                     const std::vector<std::string>& logger_args,
                                     const StartOptions& options) {
  std::vector<std::string> argv = {Linger(), "exec-with-delay"};
  argv.insert(argv.end(), linger_args.begin(), linger_args.end());
  argv.push_back("--");
  argv.push_back(Helper("signal_logger"));
  argv.insert(argv.end(), logger_args.begin(), logger_args.end());
  auto p = std::make_unique<Process>(argv, options);
  REQUIRE(p->WaitForStdout("ready"));
  return p;
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool IsRoot() { return geteuid() == 0; }

}  // namespace test
