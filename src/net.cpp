#include "net.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "attempt.h"
#include "dns.h"
#include "fd.h"
#include "http.h"
#include "resolver.h"
#include "socket_headers.h"
#include "tls.h"
#include "wait.h"

namespace linger {
namespace {

using Clock = std::chrono::steady_clock;

using Context = AttemptContext;

// RFC 8305's Connection Attempt Delay: how long one connect has alone before the next address
// starts its own beside it. Waiting for each in turn, an address whose SYNs vanish would spend the
// whole attempt and the addresses after it would never get theirs. Shorter when the attempt's
// budget cannot give every address its turn otherwise, but no less than the RFC's floor.
constexpr auto kStagger = std::chrono::milliseconds(250);
constexpr auto kShortestStagger = std::chrono::milliseconds(10);

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

// A connected socket, and how messages name it.
struct Connection {
  UniqueFd fd;
  std::string endpoint;  // "127.0.0.1:80"
};

// One connect under way.
struct Pending {
  UniqueFd fd;
  size_t index;  // its address's
};

// Why no address accepted, from what happened at each (`why`, in the order they were tried; ""
// for those whose turn never came): a reason that is the same on every attempt that fails alike.
std::string Failures(const std::vector<std::string>& why) {
  std::string failures;
  size_t untried = 0;
  for (const std::string& one : why) {
    if (one.empty()) {
      ++untried;
    } else {
      failures += (failures.empty() ? "" : "; ") + one;
    }
  }
  if (untried == 0) return failures;
  return fmt::format("{}; {} more address{} not tried", failures, untried,
                     untried == 1 ? "" : "es");
}

// Resolves `host`, then connects to its addresses as RFC 8305 ("Happy Eyeballs") does: the next
// address starts once the last one started has been pending for the stagger, at once when none is
// pending, and the first to connect wins; the others are closed.
Result<Connection> Connect(const Context& ctx, Resolver& resolver, const std::string& host,
                           std::uint16_t port) {
  Result<Resolved> resolved = resolver.Resolve(host, ctx.deadline, ctx.stop_fd);
  if (!resolved.ok()) return resolved.error();
  std::vector<IpAddress> addresses = InterleaveFamilies(resolved->addresses);
  std::vector<std::string> why(addresses.size());
  Clock::duration stagger = std::clamp<Clock::duration>(
      (ctx.deadline - Clock::now()) / std::max<size_t>(addresses.size(), 1), kShortestStagger,
      kStagger);
  std::vector<Pending> pending;
  size_t next = 0;
  Clock::time_point next_start = Clock::now();
  while (next < addresses.size() || !pending.empty()) {
    if (next < addresses.size() && (pending.empty() || Clock::now() >= next_start)) {
      size_t index = next++;
      Result<UniqueFd> fd = StartConnect(addresses[index], port, SOCK_STREAM);
      if (fd.ok()) {
        pending.push_back({std::move(*fd), index});
        next_start = Clock::now() + stagger;
      } else {
        why[index] = fd.error().message;
      }
      continue;
    }
    // The stop signals first, then each pending connect, then the wait's own entry.
    std::vector<pollfd> fds = {{ctx.stop_fd, POLLIN, 0}};
    for (const Pending& one : pending) fds.push_back({one.fd.get(), POLLOUT, 0});
    fds.push_back({-1, 0, 0});
    Clock::time_point until = ctx.deadline;
    if (next < addresses.size()) until = std::min(until, next_start);
    // Network waits need no sub-millisecond deadline: coarse, without a timer each.
    WaitEnd end = WaitForAny(fds, until, Precision::kCoarse);
    if (end == WaitEnd::kReady && fds[0].revents != 0) end = WaitEnd::kStopped;
    if (end == WaitEnd::kTimedOut && Clock::now() < ctx.deadline) continue;  // the next one's turn
    if (end != WaitEnd::kReady) {
      std::string what = WhyNotReady(end);
      for (const Pending& one : pending) {
        why[one.index] =
            fmt::format("{} connecting to {}", what, FormatEndpoint(addresses[one.index], port));
      }
      break;
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      const pollfd& polled = fds[i + 1];
      if (polled.revents == 0) continue;
      int err = 0;
      socklen_t length = sizeof err;
      if (getsockopt(polled.fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
      std::string endpoint = FormatEndpoint(addresses[pending[i].index], port);
      if (err == 0) return Connection{std::move(pending[i].fd), std::move(endpoint)};
      why[pending[i].index] = fmt::format("connect to {}: {}", endpoint, std::strerror(err));
      pending[i].fd.Reset();
      // A failure is an answer: the next address need not wait out the stagger.
      next_start = Clock::now();
    }
    std::erase_if(pending, [](const Pending& one) { return !one.fd; });
  }
  std::string failure = Failures(why);
  // What the lookup noticed may be why: a server that never answers AAAA hides IPv6 addresses.
  if (!resolved->note.empty()) failure = fmt::format("{} ({})", failure, resolved->note);
  return Error{failure};
}

// Sends the request and reads until the response decides.
AttemptResult Exchange(Stream& stream, const std::string& endpoint, const Probe& probe) {
  auto not_ready = [](std::string why) { return AttemptResult{AttemptResult::kNotReady, why}; };
  Result<size_t> sent = stream.Send(probe.request);
  if (!sent.ok()) return not_ready(sent.error().message);
  ResponseParser response(probe.head_request);
  char buffer[16 * 1024];
  while (true) {
    Result<size_t> n = stream.Receive(buffer);
    if (!n.ok()) return not_ready(n.error().message);
    if (*n == 0) {
      response.Finish();
    } else {
      response.Feed(std::string_view(buffer, *n));
    }
    Verdict verdict = Judge(response, probe.statuses, probe.body_contains);
    if (verdict.kind == Verdict::kReady) return {AttemptResult::kReady, verdict.detail};
    if (verdict.kind == Verdict::kNotReady) {
      bool broken = response.state() == ResponseParser::State::kError;
      return not_ready(broken ? fmt::format("{}: {}", endpoint, verdict.detail) : verdict.detail);
    }
  }
}

// One http or https exchange on the first address that accepts: its answer is the attempt's
// answer, as curl does.
AttemptResult ProbeOnce(const Context& ctx, Resolver& resolver, const Probe& probe) {
  Result<Connection> connection = Connect(ctx, resolver, probe.url.host, probe.url.port);
  if (!connection.ok()) return {AttemptResult::kNotReady, connection.error().message};
  if (!probe.url.tls) {
    SocketStream plain(ctx, connection->fd.get(), connection->endpoint);
    return Exchange(plain, connection->endpoint, probe);
  }
  Result<std::unique_ptr<Stream>> tls =
      StartTls(ctx, connection->fd.get(), connection->endpoint, probe.url.host, probe.tls);
  if (!tls.ok()) return {AttemptResult::kNotReady, tls.error().message};
  return Exchange(**tls, connection->endpoint, probe);
}

// Whatever step a stop signal interrupted, it ended the attempt.
AttemptResult StoppedOr(const Context& ctx, AttemptResult result) {
  if (result.kind == AttemptResult::kNotReady && StopPending(ctx.stop_fd)) {
    return {AttemptResult::kStopped, {}};
  }
  return result;
}

}  // namespace

AttemptResult RunAttempt(const Probe& probe, Resolver& resolver, Clock::time_point deadline,
                         int stop_fd) {
  const Context ctx{deadline, stop_fd};
  return StoppedOr(ctx, ProbeOnce(ctx, resolver, probe));
}

AttemptResult RunConnectAttempt(const std::string& host, std::uint16_t port, Resolver& resolver,
                                Clock::time_point deadline, int stop_fd) {
  const Context ctx{deadline, stop_fd};
  // Closed at once without a byte sent: a database or a broker sees only a connection that ends.
  Result<Connection> connection = Connect(ctx, resolver, host, port);
  if (!connection.ok()) {
    return StoppedOr(ctx, {AttemptResult::kNotReady, connection.error().message});
  }
  return {AttemptResult::kReady, fmt::format("connected to {}", connection->endpoint)};
}

AttemptResult RunResolveAttempt(const std::string& host, Resolver& resolver,
                                Clock::time_point deadline, int stop_fd) {
  const Context ctx{deadline, stop_fd};
  Result<Resolved> resolved = resolver.Resolve(host, deadline, stop_fd);
  if (!resolved.ok()) return StoppedOr(ctx, {AttemptResult::kNotReady, resolved.error().message});
  if (resolved->addresses.empty()) {
    return StoppedOr(ctx, {AttemptResult::kNotReady, fmt::format("no address for '{}'", host)});
  }
  return {AttemptResult::kReady,
          fmt::format("resolves to {}", FormatAddress(resolved->addresses[0]))};
}

Result<UniqueFd> StartConnect(const IpAddress& address, std::uint16_t port, int type) {
  UniqueFd fd(socket(address.family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return Error::System("socket", errno);
  sockaddr_storage storage;
  socklen_t length = ToSockaddr(address, port, storage);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 &&
      errno != EINPROGRESS) {
    return Error::System(fmt::format("connect to {}", FormatEndpoint(address, port)), errno);
  }
  return fd;
}

bool StopPending(int stop_fd) {
  pollfd pfd{stop_fd, POLLIN, 0};
  return poll(&pfd, 1, 0) > 0;
}

}  // namespace linger
