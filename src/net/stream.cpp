#include "net/stream.h"

#include <fmt/format.h>
#include <poll.h>

#include <cerrno>

#include "socket_headers.h"
#include "wait_for.h"

namespace linger {

Result<void> WaitForSocket(const AttemptContext& ctx, int fd, short events,
                           std::string_view doing) {
  // Network waits need no sub-millisecond deadline: coarse, without a timer each.
  switch (WaitFor(fd, events, ctx.stop_fd, ctx.deadline, Precision::kCoarse)) {
    case WaitEnd::kReady:
      return {};
    case WaitEnd::kTimedOut:
      return Error::TimedOut(fmt::format("timed out {}", doing));
    case WaitEnd::kStopped:
      return Error::Stopped(fmt::format("stopped {}", doing));
    default:
      return Error::System("ppoll", errno);
  }
}

Result<size_t> SocketStream::Send(std::string_view data) {
  size_t total = data.size();
  while (!data.empty()) {
    // MSG_NOSIGNAL: a peer that closed early must be an error here, not a SIGPIPE that would
    // kill linger (and ignoring SIGPIPE process-wide would leak into COMMAND).
    ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      Result<void> writable = WaitForSocket(ctx_, fd_, POLLOUT, "sending to " + endpoint_);
      if (!writable.ok()) return writable.error();
    } else if (errno != EINTR) {
      return Error::System("send to " + endpoint_, errno);
    }
  }
  return total;
}

Result<size_t> SocketStream::Receive(std::span<char> buffer) {
  while (true) {
    ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Error::System("read from " + endpoint_, errno);
    }
    Result<void> readable =
        WaitForSocket(ctx_, fd_, POLLIN, "waiting for the response from " + endpoint_);
    if (!readable.ok()) return readable.error();
  }
}

}  // namespace linger
