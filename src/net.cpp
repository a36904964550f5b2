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

namespace linger {
namespace {

using Clock = std::chrono::steady_clock;

// What every step of one attempt shares.
struct Context {
  Clock::time_point deadline;
  int stop_fd;
  bool stopped = false;  // a stop signal is pending: drop everything and return
};

// Waits until `fd` has `events`. Returns "" when it has, else why not ("timed out", ...), setting
// ctx.stopped when a stop signal is what ended the wait.
std::string WaitFor(Context& ctx, int fd, short events, Clock::time_point until) {
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

// Sends the request on a connected socket and reads until the response decides.
AttemptResult Exchange(Context& ctx, int fd, const std::string& endpoint, const Probe& probe) {
  auto not_ready = [](std::string why) { return AttemptResult{AttemptResult::kNotReady, why}; };
  std::string_view request = probe.request;
  while (!request.empty()) {
    // MSG_NOSIGNAL: a peer that closed early must be an error here, not a SIGPIPE that would
    // kill linger (and ignoring SIGPIPE process-wide would leak into COMMAND).
    ssize_t n = send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      request.remove_prefix(static_cast<size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      std::string why = WaitFor(ctx, fd, POLLOUT, ctx.deadline);
      if (!why.empty()) return not_ready(fmt::format("{} sending to {}", why, endpoint));
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
      std::string why = WaitFor(ctx, fd, POLLIN, ctx.deadline);
      if (!why.empty()) {
        return not_ready(fmt::format("{} waiting for the response from {}", why, endpoint));
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

AttemptResult RunAttempt(const Probe& probe, Resolver& resolver, Clock::time_point deadline,
                         int stop_fd) {
  Context ctx{deadline, stop_fd};
  const AttemptResult stopped{AttemptResult::kStopped, {}};
  Result<Resolved> resolved = resolver.Resolve(probe.url.host, deadline, stop_fd, ctx.stopped);
  if (ctx.stopped) return stopped;
  if (!resolved.ok()) return {AttemptResult::kNotReady, resolved.error()};
  const std::vector<IpAddress>& addresses = resolved->addresses;
  // Every address in turn until one accepts the connection; its answer is the attempt's answer,
  // as curl does.
  std::string failure;
  for (const IpAddress& address : addresses) {
    std::string endpoint = FormatEndpoint(address, probe.url.port);
    Result<UniqueFd> fd = StartConnect(address, probe.url.port, SOCK_STREAM);
    if (!fd.ok()) {
      failure = fd.error();
      continue;
    }
    std::string why = WaitFor(ctx, fd->get(), POLLOUT, deadline);
    int err = 0;
    socklen_t length = sizeof err;
    if (why.empty() && getsockopt(fd->get(), SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
    if (ctx.stopped) return stopped;
    if (!why.empty()) {
      failure = fmt::format("{} connecting to {}", why, endpoint);
      break;  // the deadline is spent: no time is left for the other addresses
    }
    if (err != 0) {
      failure = fmt::format("connect to {}: {}", endpoint, std::strerror(err));
      continue;
    }
    AttemptResult result = Exchange(ctx, fd->get(), endpoint, probe);
    return ctx.stopped ? stopped : result;
  }
  // What the lookup noticed may be why: a server that never answers AAAA hides IPv6 addresses.
  if (!resolved->note.empty()) failure = fmt::format("{} ({})", failure, resolved->note);
  return {AttemptResult::kNotReady, failure};
}

}  // namespace linger
