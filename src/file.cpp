#include "file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fd.h"

namespace linger {
namespace {

// What a file that is not a regular one is, for a message.
const char* FileKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "a special file";
}

}  // namespace

Result<FileHead> ReadFileHead(const char* path, size_t limit) {
  // O_NONBLOCK makes the open of a FIFO return at once; fstat then refuses it before any read.
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd && errno == ENOENT) return Error::NotFound(std::strerror(errno));
  if (!fd) return Error::System("", errno);
  struct stat info;
  if (fstat(fd.get(), &info) != 0) return Error::System("", errno);
  if (!S_ISREG(info.st_mode)) {
    return Error{fmt::format("{}, not a regular file", FileKind(info.st_mode))};
  }
  FileHead head;
  char buffer[16 * 1024];
  while (true) {
    // One byte past the limit tells whether there is more.
    size_t want = std::min(sizeof buffer, limit + 1 - head.text.size());
    ssize_t n = read(fd.get(), buffer, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::System("", errno);
    if (n == 0) break;
    head.text.append(buffer, static_cast<size_t>(n));
    if (head.text.size() > limit) break;
  }
  head.complete = head.text.size() <= limit;
  if (!head.complete) head.text.resize(limit);
  return head;
}

}  // namespace linger
