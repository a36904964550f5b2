#include "log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace linger {
namespace {

// The logger is process-wide state, like stderr itself.
bool g_quiet = false;
int g_fd = STDERR_FILENO;
std::string g_program = "linger";

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to report a failing log
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void LogSetup(bool quiet, std::string_view path) {
  g_quiet = quiet;
  if (path.empty()) return;
  // O_APPEND so that lines from a preStop hook and the app's own stderr (/proc/1/fd/2) interleave
  // whole; 0644 because the log is for people to read.
  int fd =
      open(std::string(path).c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) {
    LogWarn("cannot open log file '{}': {}; logging to stderr", path, std::strerror(errno));
    return;
  }
  g_fd = fd;
}

void LogSetProgram(std::string_view name) { g_program = name; }

void LogLine(LogLevel level, fmt::string_view format, fmt::format_args args) {
  if (level == LogLevel::kInfo && g_quiet) return;
  int saved_errno = errno;
  fmt::memory_buffer line;
  fmt::format_to(std::back_inserter(line), "{}: ", g_program);
  if (level == LogLevel::kWarning) fmt::format_to(std::back_inserter(line), "warning: ");
  fmt::vformat_to(std::back_inserter(line), format, args);
  line.push_back('\n');
  std::string_view text(line.data(), line.size());
  WriteAll(g_fd, text);
  // Errors must reach stderr even when the lines go to a file: the caller reads stderr.
  if (level != LogLevel::kInfo && g_fd != STDERR_FILENO) WriteAll(STDERR_FILENO, text);
  errno = saved_errno;
}

}  // namespace linger
