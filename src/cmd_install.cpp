// linger install: puts a copy of linger where a third-party image can run it, typically from an
// initContainer into an emptyDir that the application container mounts.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "cli.h"
#include "command_line.h"
#include "commands.h"
#include "fd.h"
#include "log.h"
#include "result.h"
#include "text.h"

namespace linger {
namespace {

constexpr CommandDoc kInstall = {
    .name = "install",
    .synopsis = "[--name NAME] DIR",
    .about = R"(Copy this linger executable to DIR/NAME with mode 0755, atomically: it is
written to a temporary file in DIR, synced, then renamed over DIR/NAME, so a
copy that is running meanwhile keeps running and nobody sees a half-written
file. Re-running overwrites. Prints the installed path on stdout. Temporary
files that an interrupted install left in DIR are removed.

DIR must exist. Errors exit 1 with the reason.
)",
    .footer = R"(Example (Kubernetes initContainer: from the linger image into an emptyDir that
the app container mounts at /opt/linger, to run /opt/linger/linger):
  initContainers:
    - name: install-linger
      image: linger
      args: ["install", "/opt/linger"]
      volumeMounts: [{name: linger, mountPath: /opt/linger}]
)",
    .order = OptionOrder::kInterleaved,
    .operand = "DIR",
    .command = CommandArg::kNone,
};

struct InstallOptions {
  std::string name = "linger";
};

constexpr OptionRow<InstallOptions> kOptions[] = {
    {{"name", "NAME", nullptr,
      "file name in DIR (default: linger); under the name sleep, the\ncopy answers as coreutils "
      "sleep, for hooks that hard-code it"},
     [](InstallOptions& options, std::string_view value) -> Result<void> {
       std::string_view why = value.empty()                          ? "must not be empty"
                              : value == "." || value == ".."        ? "must not be '.' or '..'"
                              : value.find('/') != std::string::npos ? "must not contain '/'"
                                                                     : "";
       if (!why.empty()) return Error::Invalid(fmt::format("'{}' {}", Printable(value), why));
       options.name = value;
       return {};
     }},
};

// Every temporary file starts so; its length does not depend on NAME, so any NAME that fits in
// DIR fits in the temporary name too.
constexpr std::string_view kTempPrefix = ".linger-install.";

// "DIR/NAME" as the user would write it: no doubled slash when DIR already ends with one.
std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.ends_with('/')) return fmt::format("{}{}", dir, name);
  return fmt::format("{}/{}", dir, name);
}

// The reason a system call failed, with the value it failed on.
Error SystemError(std::string_view what, std::string_view path) {
  return Error::System(fmt::format("{} '{}'", what, Printable(path)), errno);
}

// Copies everything readable from `in` to `out`; write(2) may be short, read(2) and write(2) may
// be interrupted.
Result<void> CopyAll(int in, int out, std::string_view out_path) {
  char buffer[64 * 1024];
  for (;;) {
    ssize_t got = read(in, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return SystemError("cannot read", "/proc/self/exe");
    if (got == 0) return {};
    for (ssize_t done = 0; done < got;) {
      ssize_t put = write(out, buffer + done, static_cast<size_t>(got - done));
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) return SystemError("cannot write", out_path);
      done += put;
    }
  }
}

// Removes the temporary files of installs that were killed. A running install holds an flock on
// its temporary file, and the kernel drops it when the process dies, so a file that can be locked
// belongs to nobody. Best effort: leftovers only waste space.
void RemoveStaleTemps(int dir_fd) {
  int scan_fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (scan_fd < 0) return;
  DIR* dir = fdopendir(scan_fd);
  if (dir == nullptr) {
    close(scan_fd);
    return;
  }
  while (dirent* entry = readdir(dir)) {
    if (!std::string_view(entry->d_name).starts_with(kTempPrefix)) continue;
    UniqueFd fd(openat(dir_fd, entry->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (fd && flock(fd.get(), LOCK_EX | LOCK_NB) == 0) (void)unlinkat(dir_fd, entry->d_name, 0);
  }
  closedir(dir);
}

// A temporary file in DIR, open for writing and locked, that is removed again unless it was
// renamed into place.
class TempFile {
 public:
  // Creates ".linger-install.PID.N" in DIR. DIR's own lock is held from the clean-up until the new
  // file is locked, so no install takes another's new file for stale.
  static Result<TempFile> Create(int dir_fd, std::string_view dir) {
    bool dir_locked = flock(dir_fd, LOCK_EX) == 0;  // some file systems cannot: then no clean-up
    if (dir_locked) RemoveStaleTemps(dir_fd);
    Result<TempFile> created = CreateUnique(dir_fd, dir);
    if (dir_locked) (void)flock(dir_fd, LOCK_UN);
    return created;
  }
  TempFile(TempFile&& other) noexcept
      : dir_fd_(other.dir_fd_),
        fd_(std::move(other.fd_)),
        name_(std::exchange(other.name_, {})),
        path_(std::move(other.path_)) {}
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    // Best effort: the error that got us here is the one worth reporting.
    if (!name_.empty()) unlinkat(dir_fd_, name_.c_str(), 0);
  }

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

  // Renames the file over DIR/NAME; from then on it is no longer removed. The descriptor stays
  // open, and so the lock held, until then.
  Result<void> RenameTo(std::string_view name, std::string_view target) {
    // rename(2) replaces the directory entry, never the old file's contents, so a copy that runs
    // from DIR/NAME keeps running; writing into that file instead would fail with ETXTBSY.
    if (renameat(dir_fd_, name_.c_str(), dir_fd_, std::string(name).c_str()) != 0) {
      return SystemError("cannot rename into", target);
    }
    name_.clear();
    // Reports what close(2) reports (a late write error on some file systems).
    if (close(fd_.Release()) != 0) return SystemError("cannot close", target);
    return {};
  }

 private:
  TempFile(int dir_fd, UniqueFd fd, std::string name, std::string path)
      : dir_fd_(dir_fd), fd_(std::move(fd)), name_(std::move(name)), path_(std::move(path)) {}

  // O_EXCL so that a stale file or a link planted there is never written through; the next N
  // when the name is taken.
  static Result<TempFile> CreateUnique(int dir_fd, std::string_view dir) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string name = fmt::format("{}{}.{}", kTempPrefix, getpid(), attempt);
      UniqueFd fd(openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700));
      if (fd) {
        // The lock marks the file as in use until this process is gone.
        (void)flock(fd.get(), LOCK_EX | LOCK_NB);
        std::string path = JoinPath(dir, name);
        return TempFile(dir_fd, std::move(fd), std::move(name), std::move(path));
      }
      if (errno != EEXIST) break;
    }
    return SystemError("cannot create a file in", dir);
  }

  int dir_fd_;
  UniqueFd fd_;
  std::string name_;  // relative to dir_fd_; empty once renamed
  std::string path_;  // for messages
};

// Installs the running executable as DIR/NAME and returns that path.
Result<std::string> Install(std::string_view dir, std::string_view name) {
  const std::string target = JoinPath(dir, name);
  UniqueFd dir_fd(open(std::string(dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return SystemError("cannot open directory", dir);
  // The kernel's link to the file this process runs from, also when its path has been replaced
  // or removed since.
  UniqueFd self(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self && errno == ENOENT) {
    // Every container has /proc; a bare chroot may not.
    return Error{"cannot open '/proc/self/exe': No such file or directory (is /proc mounted?)"};
  }
  if (!self) return SystemError("cannot open", "/proc/self/exe");

  Result<TempFile> file = TempFile::Create(dir_fd.get(), dir);
  if (!file.ok()) return file.error();
  if (Result<void> copied = CopyAll(self.get(), file->fd(), file->path()); !copied.ok()) {
    return copied.error();
  }
  // Explicitly, because the mode given to open(2) is masked by the umask.
  if (fchmod(file->fd(), 0755) != 0) return SystemError("cannot chmod", file->path());
  // The data must be on disk before the rename makes it visible, or a crash can leave an empty
  // DIR/NAME behind (the ext4 "zero-length file after rename" lesson).
  if (fsync(file->fd()) != 0) return SystemError("cannot sync", file->path());
  if (Result<void> renamed = file->RenameTo(name, target); !renamed.ok()) return renamed.error();
  // Makes the rename itself durable. Some file systems cannot sync a directory (EINVAL): the
  // rename is done all the same.
  if (fsync(dir_fd.get()) != 0 && errno != EINVAL) return SystemError("cannot sync directory", dir);
  return target;
}

}  // namespace

int RunInstall(std::span<char* const> args) {
  Invocation invocation = StartCommand<InstallOptions>(kInstall, kOptions, args);
  if (!invocation.args) return invocation.exit_status;
  std::string_view dir = invocation.args->positionals[0];
  if (dir.empty()) return Fail(Error::Usage("DIR must not be empty"));
  Result<std::string> installed = Install(dir, invocation.options.name);
  if (!installed.ok()) return Fail(installed.error());
  // The result, on stdout as mktemp(1) prints its name, so that a script can capture it; one line
  // that an initContainer's log shows too.
  if (Result<void> printed = WriteOut(*installed + "\n"); !printed.ok())
    return Fail(printed.error());
  return kExitSuccess;
}

}  // namespace linger
