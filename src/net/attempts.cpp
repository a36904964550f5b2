#include "net/attempts.h"

#include <fmt/format.h>

#include "net/connect.h"
#include "net/http.h"
#include "net/stream.h"
#include "net/tls.h"

namespace linger {
namespace {

using Clock = std::chrono::steady_clock;

// Resolves `host` and connects to its addresses. What the lookup noticed may be why none
// accepted: a server that never answers AAAA hides IPv6 addresses.
Result<Connection> ConnectTo(const AttemptContext& ctx, Resolver& resolver, const std::string& host,
                             std::uint16_t port) {
  Result<Resolved> resolved = resolver.Resolve(host, ctx);
  if (!resolved.ok()) return resolved.error();
  std::vector<IpAddress> addresses = InterleaveFamilies(resolved->addresses);
  Result<Connection> connection = Connect(ctx, addresses, port);
  if (!connection.ok() && !resolved->note.empty()) {
    const Error& error = connection.error();
    return Error{fmt::format("{} ({})", error.message, resolved->note), error.kind, error.code};
  }
  return connection;
}

// Sends the request and reads until the response decides.
AttemptResult Exchange(Stream& stream, const std::string& endpoint, const Probe& probe) {
  Result<size_t> sent = stream.Send(probe.request);
  if (!sent.ok()) return sent.error();
  ResponseParser response(probe.head_request);
  char buffer[16 * 1024];
  while (true) {
    Result<size_t> n = stream.Receive(buffer);
    if (!n.ok()) return n.error();
    if (*n == 0) {
      response.Finish();
    } else {
      response.Feed(std::string_view(buffer, *n));
    }
    Verdict verdict = Judge(response, probe.statuses, probe.body_contains);
    if (verdict.kind == Verdict::kReady) return verdict.detail;
    if (verdict.kind == Verdict::kNotReady) {
      bool broken = response.state() == ResponseParser::State::kError;
      return Error{broken ? fmt::format("{}: {}", endpoint, verdict.detail) : verdict.detail};
    }
  }
}

}  // namespace

AttemptResult RunAttempt(const Probe& probe, Resolver& resolver, Clock::time_point deadline,
                         int stop_fd) {
  const AttemptContext ctx{deadline, stop_fd};
  Result<Connection> connection = ConnectTo(ctx, resolver, probe.url.host, probe.url.port);
  if (!connection.ok()) return connection.error();
  if (!probe.url.tls) {
    SocketStream plain(ctx, connection->fd.get(), connection->endpoint);
    return Exchange(plain, connection->endpoint, probe);
  }
  Result<std::unique_ptr<Stream>> tls =
      StartTls(ctx, connection->fd.get(), connection->endpoint, probe.url.host, probe.tls);
  if (!tls.ok()) return tls.error();
  return Exchange(**tls, connection->endpoint, probe);
}

AttemptResult RunConnectAttempt(const std::string& host, std::uint16_t port, Resolver& resolver,
                                Clock::time_point deadline, int stop_fd) {
  // Closed at once without a byte sent: a database or a broker sees only a connection that ends.
  Result<Connection> connection = ConnectTo({deadline, stop_fd}, resolver, host, port);
  if (!connection.ok()) return connection.error();
  return fmt::format("connected to {}", connection->endpoint);
}

AttemptResult RunResolveAttempt(const std::string& host, Resolver& resolver,
                                Clock::time_point deadline, int stop_fd) {
  Result<Resolved> resolved = resolver.Resolve(host, {deadline, stop_fd});
  if (!resolved.ok()) return resolved.error();
  return fmt::format("resolves to {}", FormatAddress(resolved->addresses[0]));
}

}  // namespace linger
