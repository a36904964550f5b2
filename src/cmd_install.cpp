// linger install: puts a copy of linger where a third-party image can run it, typically from an
// initContainer into an emptyDir that the application container mounts.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "cli.h"
#include "commands.h"
#include "exit_status.h"
#include "fd.h"
#include "log.h"
#include "result.h"

namespace linger {

const std::string_view kInstallHelp = R"(Usage: linger install [--name NAME] DIR

Copy this linger executable to DIR/NAME with mode 0755, atomically: it is
written to a temporary file in DIR, synced, then renamed over DIR/NAME, so a
copy that is running meanwhile keeps running and nobody sees a half-written
file. Re-running overwrites. Prints the installed path on stdout.

DIR must exist. Errors exit 1 with the reason.

Options:
  --name NAME   file name in DIR (default: linger); under the name sleep, the
                copy answers as coreutils sleep, for hooks that hard-code it
  --quiet       no informational lines (errors still print)
  --log PATH    append linger's lines to PATH instead of stderr
  -h, --help    show this help

Example (Kubernetes initContainer: from the linger image into an emptyDir that
the app container mounts at /opt/linger, to run /opt/linger/linger):
  initContainers:
    - name: install-linger
      image: linger
      args: ["install", "/opt/linger"]
      volumeMounts: [{name: linger, mountPath: /opt/linger}]
)";

namespace {

constexpr OptionSpec kInstallOptions[] = {{"name", true}};

// Why `name` cannot be a file name in DIR, or empty when it can.
std::string BadName(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name == "." || name == "..") return "must not be '.' or '..'";
  if (name.find('/') != std::string_view::npos) return "must not contain '/'";
  return {};
}

// "DIR/NAME" as the user would write it: no doubled slash when DIR already ends with one.
std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.ends_with('/')) return fmt::format("{}{}", dir, name);
  return fmt::format("{}/{}", dir, name);
}

// The reason a system call failed, with the value it failed on.
Error SystemError(std::string_view what, std::string_view path) {
  return Error{fmt::format("{} '{}': {}", what, path, std::strerror(errno))};
}

// Copies everything readable from `in` to `out`; write(2) may be short, read(2) and write(2) may
// be interrupted.
Result<bool> CopyAll(int in, int out, std::string_view out_path) {
  char buffer[64 * 1024];
  for (;;) {
    ssize_t got = read(in, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return SystemError("cannot read", "/proc/self/exe");
    if (got == 0) return true;
    for (ssize_t done = 0; done < got;) {
      ssize_t put = write(out, buffer + done, static_cast<size_t>(got - done));
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) return SystemError("cannot write", out_path);
      done += put;
    }
  }
}

// A temporary file in DIR, open for writing, that is removed again unless it was renamed into
// place.
class TempFile {
 public:
  // Creates ".NAME.PID.N" in DIR. O_EXCL so that a stale file or a link planted there is never
  // written through; the next N when the name is taken (by a crashed run that had the same pid).
  static Result<TempFile> Create(int dir_fd, std::string_view dir, std::string_view name) {
    for (int attempt = 0;; ++attempt) {
      std::string temp_name = fmt::format(".{}.{}.{}", name, getpid(), attempt);
      int fd = openat(dir_fd, temp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
      if (fd >= 0) {
        std::string path = JoinPath(dir, temp_name);
        return TempFile(dir_fd, fd, std::move(temp_name), std::move(path));
      }
      if (errno != EEXIST || attempt == 99) return SystemError("cannot create a file in", dir);
    }
  }
  TempFile(TempFile&& other) noexcept
      : dir_fd_(other.dir_fd_),
        fd_(std::exchange(other.fd_, -1)),
        name_(std::exchange(other.name_, {})),
        path_(std::move(other.path_)) {}
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    // Best effort: the error that got us here is the one worth reporting.
    if (fd_ >= 0) close(fd_);
    if (!name_.empty()) unlinkat(dir_fd_, name_.c_str(), 0);
  }

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  // Closes the file, reporting what close(2) reports (a late write error on some file systems).
  Result<bool> Close() {
    if (close(std::exchange(fd_, -1)) != 0) return SystemError("cannot close", path_);
    return true;
  }
  // Renames the file over DIR/NAME; from then on it is no longer removed.
  Result<bool> RenameTo(std::string_view name, std::string_view target) {
    // rename(2) replaces the directory entry, never the old file's contents, so a copy that runs
    // from DIR/NAME keeps running; writing into that file instead would fail with ETXTBSY.
    if (renameat(dir_fd_, name_.c_str(), dir_fd_, std::string(name).c_str()) != 0) {
      return SystemError("cannot rename into", target);
    }
    name_.clear();
    return true;
  }

 private:
  TempFile(int dir_fd, int fd, std::string name, std::string path)
      : dir_fd_(dir_fd), fd_(fd), name_(std::move(name)), path_(std::move(path)) {}

  int dir_fd_;
  int fd_;
  std::string name_;  // relative to dir_fd_; empty once renamed
  std::string path_;  // for messages
};

// Installs the running executable as DIR/NAME and returns that path.
Result<std::string> Install(std::string_view dir, std::string_view name) {
  const std::string dir_path(dir);
  const std::string target = JoinPath(dir, name);

  UniqueFd dir_fd(open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return SystemError("cannot open directory", dir);
  // The kernel's link to the file this process runs from, also when its path has been replaced
  // or removed since.
  UniqueFd self(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self && errno == ENOENT) {
    // Every container has /proc; a bare chroot may not.
    return Error{"cannot open '/proc/self/exe': No such file or directory (is /proc mounted?)"};
  }
  if (!self) return SystemError("cannot open", "/proc/self/exe");

  Result<TempFile> temp = TempFile::Create(dir_fd.get(), dir, name);
  if (!temp.ok()) return Error{temp.error()};
  TempFile& file = *temp;

  Result<bool> done = CopyAll(self.get(), file.fd(), file.path());
  if (!done.ok()) return Error{done.error()};
  // Explicitly, because the mode given to open(2) is masked by the umask.
  if (fchmod(file.fd(), 0755) != 0) return SystemError("cannot chmod", file.path());
  // The data must be on disk before the rename makes it visible, or a crash can leave an empty
  // DIR/NAME behind (the ext4 "zero-length file after rename" lesson).
  if (fsync(file.fd()) != 0) return SystemError("cannot sync", file.path());
  if (done = file.Close(); !done.ok()) return Error{done.error()};
  if (done = file.RenameTo(name, target); !done.ok()) return Error{done.error()};
  // Makes the rename itself durable. Some file systems cannot sync a directory (EINVAL): the
  // rename is done all the same.
  if (fsync(dir_fd.get()) != 0 && errno != EINVAL) return SystemError("cannot sync directory", dir);
  return target;
}

}  // namespace

int RunInstall(std::span<char* const> args) {
  Invocation invocation =
      StartCommand("install", kInstallHelp, args, kInstallOptions, OptionOrder::kInterleaved);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  if (!parsed.command.empty()) {
    LogError("install: unexpected COMMAND '{}' (install takes none)", parsed.command[0]);
    return kExitUsage;
  }
  if (parsed.positionals.size() != 1) {
    if (parsed.positionals.empty()) {
      LogError("install: missing DIR (try 'linger install --help')");
    } else {
      LogError("install: unexpected argument '{}' (install takes one DIR)", parsed.positionals[1]);
    }
    return kExitUsage;
  }
  std::string_view name = "linger";
  for (const Option& option : parsed.options) {
    if (option.name == "name") name = option.value;
  }
  if (std::string why = BadName(name); !why.empty()) {
    LogError("install: --name '{}' {}", name, why);
    return kExitUsage;
  }
  std::string_view dir = parsed.positionals[0];
  if (dir.empty()) {
    LogError("install: DIR must not be empty");
    return kExitUsage;
  }

  Result<std::string> installed = Install(dir, name);
  if (!installed.ok()) {
    LogError("install: {}", installed.error());
    return kExitFailure;
  }
  // The result, on stdout as mktemp(1) prints its name, so that a script can capture it; one line
  // that an initContainer's log shows too.
  fmt::print("{}\n", *installed);
  return kExitSuccess;
}

}  // namespace linger
