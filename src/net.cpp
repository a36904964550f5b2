#include "net.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "dns.h"
#include "fd.h"
#include "http.h"
#include "socket_headers.h"
#include "wait.h"

namespace linger {
namespace {

using Clock = std::chrono::steady_clock;

// What every step of one attempt shares.
struct Context {
  Clock::time_point deadline;
  int stop_fd;
};

// Waits until `fd` has `events`, a stop signal is pending or `until` passes. Network waits need no
// sub-millisecond deadline, so they wait coarsely, without a timer each.
WaitEnd WaitFor(const Context& ctx, int fd, short events, Clock::time_point until) {
  return linger::WaitFor(fd, events, ctx.stop_fd, until, Precision::kCoarse);
}

socklen_t ToSockaddr(const IpAddress& address, std::uint16_t port, sockaddr_storage& storage) {
  storage = {};
  if (address.family == AF_INET) {
    auto& in = reinterpret_cast<sockaddr_in&>(storage);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&in.sin_addr, address.bytes.data(), 4);
    return sizeof in;
  }
  auto& in6 = reinterpret_cast<sockaddr_in6&>(storage);
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  std::memcpy(&in6.sin6_addr, address.bytes.data(), 16);
  return sizeof in6;
}

// Sends the request on a connected socket and reads until the response decides.
AttemptResult Exchange(const Context& ctx, int fd, const std::string& endpoint,
                       const Probe& probe) {
  auto not_ready = [](std::string why) { return AttemptResult{AttemptResult::kNotReady, why}; };
  std::string_view request = probe.request;
  while (!request.empty()) {
    // MSG_NOSIGNAL: a peer that closed early must be an error here, not a SIGPIPE that would
    // kill linger (and ignoring SIGPIPE process-wide would leak into COMMAND).
    ssize_t n = send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      request.remove_prefix(static_cast<size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (WaitEnd end = WaitFor(ctx, fd, POLLOUT, ctx.deadline); end != WaitEnd::kReady) {
        return not_ready(fmt::format("{} sending to {}", WhyNotReady(end), endpoint));
      }
    } else if (errno != EINTR) {
      return not_ready(fmt::format("send to {}: {}", endpoint, std::strerror(errno)));
    }
  }
  ResponseParser response(probe.head_request);
  char buffer[16 * 1024];
  while (true) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        return not_ready(fmt::format("read from {}: {}", endpoint, std::strerror(errno)));
      }
      if (WaitEnd end = WaitFor(ctx, fd, POLLIN, ctx.deadline); end != WaitEnd::kReady) {
        return not_ready(
            fmt::format("{} waiting for the response from {}", WhyNotReady(end), endpoint));
      }
      continue;
    }
    if (n == 0) {
      response.Finish();
    } else {
      response.Feed(std::string_view(buffer, static_cast<size_t>(n)));
    }
    Verdict verdict = Judge(response, probe.statuses, probe.body_contains);
    if (verdict.kind == Verdict::kReady) return {AttemptResult::kReady, verdict.detail};
    if (verdict.kind == Verdict::kNotReady) {
      bool broken = response.state() == ResponseParser::State::kError;
      return not_ready(broken ? fmt::format("{}: {}", endpoint, verdict.detail) : verdict.detail);
    }
  }
}

// Resolves, then tries every address in turn until one accepts the connection; its answer is the
// attempt's answer, as curl does.
AttemptResult Connect(const Context& ctx, const Probe& probe, Resolver& resolver) {
  auto not_ready = [](std::string why) { return AttemptResult{AttemptResult::kNotReady, why}; };
  Result<Resolved> resolved = resolver.Resolve(probe.url.host, ctx.deadline, ctx.stop_fd);
  if (!resolved.ok()) return not_ready(resolved.error().message);
  std::string failure;
  for (const IpAddress& address : resolved->addresses) {
    std::string endpoint = FormatEndpoint(address, probe.url.port);
    Result<UniqueFd> fd = StartConnect(address, probe.url.port, SOCK_STREAM);
    if (!fd.ok()) {
      failure = fd.error().message;
      continue;
    }
    WaitEnd end = WaitFor(ctx, fd->get(), POLLOUT, ctx.deadline);
    if (end != WaitEnd::kReady) {
      failure = fmt::format("{} connecting to {}", WhyNotReady(end), endpoint);
      // Only a timeout spends the attempt; after another failure the next address may still work.
      if (end == WaitEnd::kTimedOut || end == WaitEnd::kStopped) break;
      continue;
    }
    int err = 0;
    socklen_t length = sizeof err;
    if (getsockopt(fd->get(), SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
    if (err != 0) {
      failure = fmt::format("connect to {}: {}", endpoint, std::strerror(err));
      continue;
    }
    return Exchange(ctx, fd->get(), endpoint, probe);
  }
  // What the lookup noticed may be why: a server that never answers AAAA hides IPv6 addresses.
  if (!resolved->note.empty()) failure = fmt::format("{} ({})", failure, resolved->note);
  return not_ready(failure);
}

}  // namespace

Result<UniqueFd> StartConnect(const IpAddress& address, std::uint16_t port, int type) {
  UniqueFd fd(socket(address.family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return Error{fmt::format("socket: {}", std::strerror(errno))};
  sockaddr_storage storage;
  socklen_t length = ToSockaddr(address, port, storage);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 &&
      errno != EINPROGRESS) {
    return Error{
        fmt::format("connect to {}: {}", FormatEndpoint(address, port), std::strerror(errno))};
  }
  return fd;
}

std::string WhyNotReady(WaitEnd end) {
  switch (end) {
    case WaitEnd::kTimedOut:
      return "timed out";
    case WaitEnd::kStopped:
      return "stopped";
    default:
      return fmt::format("ppoll: {}", std::strerror(errno));
  }
}

bool StopPending(int stop_fd) {
  pollfd pfd{stop_fd, POLLIN, 0};
  return poll(&pfd, 1, 0) > 0;
}

AttemptResult RunAttempt(const Probe& probe, Resolver& resolver, Clock::time_point deadline,
                         int stop_fd) {
  const Context ctx{deadline, stop_fd};
  AttemptResult result = Connect(ctx, probe, resolver);
  // Whatever step a stop signal interrupted, it ended the attempt.
  if (result.kind == AttemptResult::kNotReady && StopPending(ctx.stop_fd)) {
    return {AttemptResult::kStopped, {}};
  }
  return result;
}

}  // namespace linger
