#include "attempt.h"

#include <fmt/format.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

#include "socket_headers.h"

namespace linger {

using Clock = std::chrono::steady_clock;

std::string WhyNotReady(WaitEnd end) {
  switch (end) {
    case WaitEnd::kReady:
      return {};
    case WaitEnd::kTimedOut:
      return "timed out";
    case WaitEnd::kStopped:
      return "stopped";
    default:
      return fmt::format("ppoll: {}", std::strerror(errno));
  }
}

std::string WaitForSocket(const AttemptContext& ctx, int fd, short events) {
  // Network waits need no sub-millisecond deadline: coarse, without a timer each.
  return WhyNotReady(WaitFor(fd, events, ctx.stop_fd, ctx.deadline, Precision::kCoarse));
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
      std::string why = WaitForSocket(ctx_, fd_, POLLOUT);
      if (!why.empty()) return Error{fmt::format("{} sending to {}", why, endpoint_)};
    } else if (errno != EINTR) {
      return Error::System(fmt::format("send to {}", endpoint_), errno);
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
      return Error::System(fmt::format("read from {}", endpoint_), errno);
    }
    std::string why = WaitForSocket(ctx_, fd_, POLLIN);
    if (!why.empty()) {
      return Error{fmt::format("{} waiting for the response from {}", why, endpoint_)};
    }
  }
}

}  // namespace linger
