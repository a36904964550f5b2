// Name resolution done by linger itself: /etc/hosts, /etc/resolv.conf and DNS messages over UDP.
// The C library's getaddrinfo blocks, so no attempt's deadline could bound it and no SIGTERM end
// it, and a failed lookup could not say which server or question went unanswered. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"
#include "result.h"

namespace linger {

// `addresses` in the order to connect to them: the families take turns, starting with the first
// address's, and each keeps its own order (RFC 8305 section 4).
std::vector<IpAddress> InterleaveFamilies(const std::vector<IpAddress>& addresses);

// The addresses an /etc/hosts text gives `name` (any case, a trailing dot ignored), in file order.
// Only '#' starts a comment there (hosts(5)); ';' is an ordinary character.
std::vector<IpAddress> LookUpHosts(std::string_view hosts, std::string_view name);

// `text` up to and including its last newline: a file read only up to a size limit may end in a
// line cut short, and a cut line is not a line ("10.0.0.1 db.example" cut to "10.0.0.1 db").
std::string_view CompleteLines(std::string_view text);

// What wait-http uses of /etc/resolv.conf, with glibc's defaults for what is missing.
struct ResolvConf {
  std::vector<IpAddress> nameservers;  // at most 3; 127.0.0.1 when none is listed
  std::vector<std::string> search;     // the last "search" or "domain" line
  int ndots = 1;                       // options ndots:N
  int timeout_seconds = 5;             // options timeout:N, the wait for one server
  int attempts = 2;                    // options attempts:N, rounds over the nameservers
};

// Which nameserver to ask first, remembered from one lookup to the next. The servers are asked in
// their resolv.conf order, but one that has just failed to answer is not asked first again: a
// dead first server costs its timeout once, not on every attempt.
class ServerChoice {
 public:
  // The position in `servers` to start from: the last one that answered, else the first.
  size_t First(const std::vector<IpAddress>& servers) const;
  // `server` answered: it is asked first next time.
  void Answered(const IpAddress& server);
  // `servers[index]` gave no answer: when it is the one asked first, the one after it will be.
  void Failed(const std::vector<IpAddress>& servers, size_t index);

 private:
  std::optional<IpAddress> first_;  // nothing: the first in the list
};

// Reads a resolv.conf text; unknown or malformed lines are ignored, as the C library does.
ResolvConf ParseResolvConf(std::string_view text);

// The names to ask for `name`, in order (resolv.conf(5)): as given first when it has at least
// ndots dots, else each search domain first; only itself when it ends with a dot.
std::vector<std::string> SearchNames(std::string_view name, const ResolvConf& conf);

// DNS record types wait-http asks for.
enum DnsType : std::uint16_t { kDnsA = 1, kDnsAaaa = 28 };

// A recursive query for `name`; kInvalid when the name cannot be encoded (an empty label, a label
// over 63 bytes, a name over 255).
Result<std::string> BuildDnsQuery(std::uint16_t id, std::string_view name, DnsType type);

// A reply, reduced to what wait-http needs.
struct DnsReply {
  int rcode = 0;                     // 0 no error, 3 no such name, others: ask another server
  std::vector<IpAddress> addresses;  // the records of the asked type, CNAME chains followed
};

// Reads a reply to the query `id` for `name` and `type`; nothing when it is not one (another id,
// another question, a query, or malformed), which a resolver ignores as the C library does.
// Only records owned by `name` or by a name it is an alias of (CNAME) count.
std::optional<DnsReply> ParseDnsReply(std::string_view message, std::uint16_t id,
                                      std::string_view name, DnsType type);

}  // namespace linger
