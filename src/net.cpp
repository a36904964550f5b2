#include "net.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "attempt.h"
#include "dns.h"
#include "fd.h"
#include "http.h"
#include "socket_headers.h"
#include "tls.h"
#include "wait.h"

namespace linger {
namespace {

using Clock = std::chrono::steady_clock;

using Context = AttemptContext;

// Waits until `fd` has `events`, a stop signal is pending or `until` passes. Network waits need no
// sub-millisecond deadline, so they wait coarsely, without a timer each.
WaitEnd WaitFor(const Context& ctx, int fd, short events, Clock::time_point until) {
  return linger::WaitFor(fd, events, ctx.stop_fd, until, Precision::kCoarse);
}

// True when a stop signal is pending: whatever failed, the attempt ends as stopped.
bool StopPending(const Context& ctx) {
  pollfd pfd{ctx.stop_fd, POLLIN, 0};
  return poll(&pfd, 1, 0) > 0;
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

// Opens a non-blocking socket and starts connecting it; the error names the endpoint.
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

// /etc/hosts or /etc/resolv.conf; "" when missing, as in an empty root filesystem.
std::string ReadSmallFile(const char* path) {
  std::string text;
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return text;
  char buffer[4096];
  while (text.size() < 1024 * 1024) {
    ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

// Sends A and AAAA queries for `name` to one server over UDP and waits for both replies.
Result<DnsReply> AskServer(const Context& ctx, const IpAddress& server, const std::string& name,
                           Clock::time_point until) {
  std::string where = fmt::format("DNS server {}", FormatEndpoint(server, 53));
  Result<UniqueFd> fd = StartConnect(server, 53, SOCK_DGRAM);
  if (!fd.ok()) return fd.error();
  std::uint16_t id = 0;
  // An unpredictable id makes forged replies harder; the clock is a fallback, not a secret.
  if (getrandom(&id, sizeof id, GRND_NONBLOCK) != sizeof id) {
    id = static_cast<std::uint16_t>(Clock::now().time_since_epoch().count());
  }
  constexpr DnsType kTypes[] = {kDnsA, kDnsAaaa};
  std::optional<DnsReply> replies[2];
  for (int i = 0; i < 2; ++i) {
    std::string query = BuildDnsQuery(static_cast<std::uint16_t>(id + i), name, kTypes[i]);
    if (query.empty()) return DnsReply{3, {}};  // too long to exist
    if (send(fd->get(), query.data(), query.size(), MSG_NOSIGNAL) < 0) {
      return Error{fmt::format("{}: {}", where, std::strerror(errno))};
    }
  }
  char buffer[4096];
  while (!replies[0] || !replies[1]) {
    ssize_t n = recv(fd->get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      WaitEnd end = WaitFor(ctx, fd->get(), POLLIN, until);
      if (end == WaitEnd::kReady) continue;
      if (replies[0] || replies[1]) break;  // one reply is better than none
      return Error{fmt::format("{} waiting for {}", WhyNotReady(end), where)};
    }
    // ECONNREFUSED here means nothing listens on port 53 there.
    if (n < 0) return Error{fmt::format("{}: {}", where, std::strerror(errno))};
    std::string_view message(buffer, static_cast<size_t>(n));
    for (int i = 0; i < 2; ++i) {
      if (!replies[i])
        replies[i] = ParseDnsReply(message, static_cast<std::uint16_t>(id + i), kTypes[i]);
    }
  }
  DnsReply merged{-1, {}};
  for (const std::optional<DnsReply>& reply : replies) {
    if (!reply) continue;
    merged.addresses.insert(merged.addresses.end(), reply->addresses.begin(),
                            reply->addresses.end());
    if (merged.rcode != 0) merged.rcode = reply->rcode;
  }
  return merged;
}

// /etc/hosts, then DNS as /etc/resolv.conf says, read again on every attempt.
Result<std::vector<IpAddress>> Resolve(const Context& ctx, const std::string& host) {
  if (std::optional<IpAddress> literal = ParseIpAddress(host)) return std::vector{*literal};
  std::vector<IpAddress> found = LookUpHosts(ReadSmallFile("/etc/hosts"), host);
  if (!found.empty()) return found;
  // RFC 6761 6.3: localhost is the loopback, also in an empty root filesystem with no hosts file.
  if (host == "localhost" || host == "localhost.") {
    return std::vector{*ParseIpAddress("127.0.0.1"), *ParseIpAddress("::1")};
  }
  ResolvConf conf = ParseResolvConf(ReadSmallFile("/etc/resolv.conf"));
  std::string failure = "no such host";
  for (const std::string& name : SearchNames(host, conf)) {
    // Each name gets `attempts` rounds over the servers, until one of them answers for sure.
    bool answered = false;
    for (int round = 0; round < conf.attempts && !answered; ++round) {
      for (const IpAddress& server : conf.nameservers) {
        if (Clock::now() >= ctx.deadline) {
          return Error{fmt::format("timed out resolving '{}' ({})", host, failure)};
        }
        auto until =
            std::min(ctx.deadline, Clock::now() + std::chrono::seconds(conf.timeout_seconds));
        Result<DnsReply> reply = AskServer(ctx, server, name, until);
        if (!reply.ok()) {
          if (StopPending(ctx)) return reply.error();
          failure = reply.error().message;
          continue;
        }
        if (!reply->addresses.empty()) return reply->addresses;
        // "No such name" or "no address for it" are answers: go on with the next search name.
        answered = reply->rcode == 0 || reply->rcode == 3;
        if (answered) break;
        failure = fmt::format("DNS server {} failed (rcode {})", FormatEndpoint(server, 53),
                              reply->rcode);
      }
    }
  }
  return Error{fmt::format("cannot resolve '{}': {}", host, failure)};
}

// A connected socket, and how messages name it.
struct Connection {
  UniqueFd fd;
  std::string endpoint;  // "127.0.0.1:80"
};

// Resolves `host`, then tries every address in turn until one accepts the connection.
Result<Connection> Connect(const Context& ctx, const std::string& host, std::uint16_t port) {
  Result<std::vector<IpAddress>> addresses = Resolve(ctx, host);
  if (!addresses.ok()) return addresses.error();
  std::string failure;
  for (const IpAddress& address : *addresses) {
    std::string endpoint = FormatEndpoint(address, port);
    Result<UniqueFd> fd = StartConnect(address, port, SOCK_STREAM);
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
    return Connection{std::move(*fd), std::move(endpoint)};
  }
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
AttemptResult ProbeOnce(const Context& ctx, const Probe& probe) {
  Result<Connection> connection = Connect(ctx, probe.url.host, probe.url.port);
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
  if (result.kind == AttemptResult::kNotReady && StopPending(ctx)) {
    return {AttemptResult::kStopped, {}};
  }
  return result;
}

}  // namespace

AttemptResult RunAttempt(const Probe& probe, Clock::time_point deadline, int stop_fd) {
  const Context ctx{deadline, stop_fd};
  return StoppedOr(ctx, ProbeOnce(ctx, probe));
}

AttemptResult RunConnectAttempt(const std::string& host, std::uint16_t port,
                                Clock::time_point deadline, int stop_fd) {
  const Context ctx{deadline, stop_fd};
  // Closed at once without a byte sent: a database or a broker sees only a connection that ends.
  Result<Connection> connection = Connect(ctx, host, port);
  if (!connection.ok()) {
    return StoppedOr(ctx, {AttemptResult::kNotReady, connection.error().message});
  }
  return {AttemptResult::kReady, fmt::format("connected to {}", connection->endpoint)};
}

}  // namespace linger
