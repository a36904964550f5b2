#include "attempt.h"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "socket_headers.h"

namespace linger {

using Clock = std::chrono::steady_clock;

std::string WaitFor(AttemptContext& ctx, int fd, short events, Clock::time_point until) {
  pollfd fds[] = {{ctx.stop_fd, POLLIN, 0}, {fd, events, 0}};
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return "timed out";
    // Rounded up, so that a wait never ends before its deadline; capped to fit poll's int.
    if (poll(fds, 2, static_cast<int>(std::min<decltype(left)>(left, 1 << 30))) < 0) {
      if (errno == EINTR) continue;
      return fmt::format("poll: {}", std::strerror(errno));
    }
    if (fds[0].revents != 0) {
      ctx.stopped = true;
      return "stopped";
    }
    if (fds[1].revents != 0) return "";
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
      std::string why = WaitFor(ctx_, fd_, POLLOUT, ctx_.deadline);
      if (!why.empty()) return Error{fmt::format("{} sending to {}", why, endpoint_)};
    } else if (errno != EINTR) {
      return Error{fmt::format("send to {}: {}", endpoint_, std::strerror(errno))};
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
      return Error{fmt::format("read from {}: {}", endpoint_, std::strerror(errno))};
    }
    std::string why = WaitFor(ctx_, fd_, POLLIN, ctx_.deadline);
    if (!why.empty()) {
      return Error{fmt::format("{} waiting for the response from {}", why, endpoint_)};
    }
  }
}

}  // namespace linger
