#include "net/resolver.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "fd.h"
#include "file.h"
#include "net/connect.h"
#include "socket_headers.h"

namespace linger {
namespace {

using Clock = Resolver::Clock;

// How long an address that has arrived waits for the other family's answer: RFC 8305's
// Resolution Delay. A and AAAA go to the same server together, so a healthy server answers both
// within this; one that drops AAAA questions (some home routers and old middleboxes do) must not
// hold the whole attempt.
constexpr auto kOtherFamilyGrace = std::chrono::milliseconds(50);

// The most of /etc/hosts and /etc/resolv.conf that is read: far more than any real one.
constexpr size_t kConfigLimit = 1024 * 1024;

// /etc/hosts or /etc/resolv.conf, "" when missing, unreadable or not a regular file, as in an
// empty root filesystem; a longer file is cut after its last whole line within the limit.
std::string ReadConfigFile(const char* path) {
  Result<FileHead> head = ReadFileHead(path, kConfigLimit);
  if (!head.ok()) return {};
  return head->complete ? std::move(head->text) : std::string(CompleteLines(head->text));
}

// What one server said about one name: the merged answers to its A and AAAA questions.
struct ServerAnswer {
  DnsReply reply;
  std::string note;  // which question went unanswered, when the other one's addresses were used
};

// Asks `server` for the A and AAAA records of `name` together, as glibc does, and waits until
// `until` for both answers, or a short grace for the second once the first has brought addresses.
Result<ServerAnswer> AskServer(const IpAddress& server, const std::string& name,
                               const AttemptContext& ctx) {
  std::string where = fmt::format("DNS server {}", FormatEndpoint(server, 53));
  Result<UniqueFd> fd = StartConnect(server, 53, SOCK_DGRAM);
  if (!fd.ok()) return fd.error();
  std::uint16_t id = 0;
  // An unpredictable id makes forged replies harder; the clock is a fallback, not a secret.
  if (getrandom(&id, sizeof id, GRND_NONBLOCK) != sizeof id) {
    id = static_cast<std::uint16_t>(Clock::now().time_since_epoch().count());
  }
  constexpr DnsType kTypes[] = {kDnsA, kDnsAaaa};
  constexpr const char* kTypeNames[] = {"A", "AAAA"};
  std::optional<DnsReply> replies[2];
  for (int i = 0; i < 2; ++i) {
    Result<std::string> query = BuildDnsQuery(static_cast<std::uint16_t>(id + i), name, kTypes[i]);
    if (!query.ok()) return ServerAnswer{{3, {}}, {}};  // a name that cannot exist
    if (send(fd->get(), query->data(), query->size(), MSG_NOSIGNAL) < 0) {
      return Error::System(where, errno);
    }
  }
  char buffer[4096];
  while (!replies[0] || !replies[1]) {
    ssize_t n = recv(fd->get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      bool has_addresses = (replies[0] && !replies[0]->addresses.empty()) ||
                           (replies[1] && !replies[1]->addresses.empty());
      AttemptContext wait = ctx;
      if (has_addresses) wait.deadline = std::min(ctx.deadline, Clock::now() + kOtherFamilyGrace);
      Result<void> answered = WaitForSocket(wait, fd->get(), POLLIN, "waiting for " + where);
      if (answered.ok()) continue;
      if (answered.error().kind != ErrorKind::kTimedOut || (!replies[0] && !replies[1])) {
        return answered.error();
      }
      // One answer is better than none: "no such name" holds for every type, and addresses that
      // have come are worth trying.
      int missing = replies[0] ? 1 : 0;
      std::string note = fmt::format("{} did not answer the {} query", where, kTypeNames[missing]);
      return ServerAnswer{*replies[1 - missing], std::move(note)};
    }
    // ECONNREFUSED here means nothing listens on port 53 there.
    if (n < 0) return Error::System(where, errno);
    std::string_view message(buffer, static_cast<size_t>(n));
    for (int i = 0; i < 2; ++i) {
      if (!replies[i]) {
        replies[i] = ParseDnsReply(message, static_cast<std::uint16_t>(id + i), name, kTypes[i]);
      }
    }
  }
  // Both answered: IPv4 addresses first, as most cluster services are reached over IPv4.
  ServerAnswer answer{*replies[0], {}};
  answer.reply.addresses.insert(answer.reply.addresses.end(), replies[1]->addresses.begin(),
                                replies[1]->addresses.end());
  if (answer.reply.rcode != 0) answer.reply.rcode = replies[1]->rcode;
  return answer;
}

}  // namespace

Result<Resolved> Resolver::Resolve(const std::string& host, const AttemptContext& ctx) {
  if (std::optional<IpAddress> literal = ParseIpAddress(host)) return Resolved{{*literal}, {}};
  std::vector<IpAddress> found = LookUpHosts(ReadConfigFile("/etc/hosts"), host);
  if (!found.empty()) return Resolved{found, {}};
  // RFC 6761 6.3: localhost is the loopback, also in an empty root filesystem with no hosts file.
  if (host == "localhost" || host == "localhost.") {
    return Resolved{{*ParseIpAddress("127.0.0.1"), *ParseIpAddress("::1")}, {}};
  }
  ResolvConf conf = ParseResolvConf(ReadConfigFile("/etc/resolv.conf"));
  const std::vector<IpAddress>& servers = conf.nameservers;
  // Why the last server that failed did; "no such host" while every one has answered.
  Error failure = Error::NotFound("no such host");
  for (const std::string& name : SearchNames(host, conf)) {
    // resolv.conf(5): `attempts` rounds over the servers, each given `timeout`; a round starts
    // with the server that answered last, so a dead first server is waited for once.
    size_t first = servers_.First(servers);
    bool answered = false;
    for (int round = 0; round < conf.attempts && !answered; ++round) {
      for (size_t k = 0; k < servers.size() && !answered; ++k) {
        size_t index = (first + k) % servers.size();
        if (Clock::now() >= ctx.deadline) {
          return Error::TimedOut(
              fmt::format("timed out resolving '{}' ({})", host, failure.message));
        }
        AttemptContext ask = ctx;
        ask.deadline =
            std::min(ctx.deadline, Clock::now() + std::chrono::seconds(conf.timeout_seconds));
        Result<ServerAnswer> answer = AskServer(servers[index], name, ask);
        if (!answer.ok()) {
          if (answer.error().kind == ErrorKind::kStopped) return answer.error();
          // A server that gave no usable answer in the time it had, cut short by the attempt's
          // deadline or not, is not asked first next time.
          servers_.Failed(servers, index);
          failure = answer.error();
          continue;
        }
        const DnsReply& reply = answer->reply;
        // "No such name" or "no address for it" are answers: go on with the next search name.
        answered = !reply.addresses.empty() || reply.rcode == 0 || reply.rcode == 3;
        if (!answered) {
          servers_.Failed(servers, index);
          failure = Error{fmt::format("DNS server {} failed (rcode {})",
                                      FormatEndpoint(servers[index], 53), reply.rcode)};
          continue;
        }
        servers_.Answered(servers[index]);
        if (!reply.addresses.empty()) return Resolved{reply.addresses, answer->note};
      }
    }
  }
  return failure.In(fmt::format("cannot resolve '{}'", host));
}

}  // namespace linger
