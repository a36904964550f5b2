#include "log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "text.h"

namespace linger {
namespace {

// The logger is process-wide state, like stderr itself.
std::string_view g_command;
bool g_quiet = false;
int g_fd = STDERR_FILENO;
std::string g_program = "linger";

// Writes all of `text`; write(2) may be short or interrupted. Returns 0 or the errno that stopped
// it.
int WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

void LogCommand(std::string_view name) { g_command = name; }

void LogSetup(bool quiet, std::string_view path) {
  g_quiet = quiet;
  if (path.empty()) return;
  // O_APPEND so that lines from a preStop hook and the app's own stderr (/proc/1/fd/2) interleave
  // whole; 0644 because the log is for people to read. O_NONBLOCK because opening a FIFO that
  // nobody reads would otherwise wait for a reader forever, beyond the reach of SIGTERM (fifo(7)):
  // it fails with ENXIO instead. Writes then block as usual, as they do on stderr.
  int fd = open(std::string(path).c_str(),
                O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
  int flags = fd < 0 ? -1 : fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    const char* why = errno == ENXIO ? "a FIFO that nothing reads" : std::strerror(errno);
    if (fd >= 0) close(fd);
    LogWarn("cannot open log file '{}': {}; logging to stderr", Printable(path), why);
    return;
  }
  g_fd = fd;
}

void LogSetProgram(std::string_view name) { g_program = name; }

void LogLine(LogLevel level, fmt::string_view format, fmt::format_args args) {
  if (level == LogLevel::kInfo && g_quiet) return;
  int saved_errno = errno;
  std::string line = g_program + ": ";
  if (level == LogLevel::kWarning) line += "warning: ";
  if (level == LogLevel::kError && !g_command.empty()) line += fmt::format("{}: ", g_command);
  line += Printable(fmt::vformat(format, args), std::string::npos);
  line.push_back('\n');
  // Nowhere is left to report a log that cannot be written.
  (void)WriteAll(g_fd, line);
  // Errors must reach stderr even when the lines go to a file: the caller reads stderr.
  if (level != LogLevel::kInfo && g_fd != STDERR_FILENO) (void)WriteAll(STDERR_FILENO, line);
  errno = saved_errno;
}

Result<void> WriteOut(std::string_view text) {
  if (int err = WriteAll(STDOUT_FILENO, text); err != 0) {
    return Error::System("cannot write to stdout", err);
  }
  return {};
}

}  // namespace linger
