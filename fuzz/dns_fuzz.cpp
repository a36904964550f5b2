// The resolver's parsers on any bytes: a DNS reply (what any host on the path can send), and the
// same bytes as /etc/hosts and /etc/resolv.conf. Beyond not crashing: a reply gives only addresses
// of the asked family, resolv.conf's values stay within the C library's limits, and a file cut at
// its size limit keeps only whole lines.
#include "check.h"
#include "net/dns.h"
#include "socket_headers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  // The id is the message's own, so that the fuzzer gets past the first check at once.
  std::uint16_t id = size < 2 ? 0 : static_cast<std::uint16_t>(data[0] << 8 | data[1]);
  for (linger::DnsType type : {linger::kDnsA, linger::kDnsAaaa}) {
    std::optional<linger::DnsReply> reply = linger::ParseDnsReply(text, id, "db.test", type);
    if (!reply) continue;
    int family = type == linger::kDnsA ? AF_INET : AF_INET6;
    for (const linger::IpAddress& address : reply->addresses) {
      fuzz::Check(address.family == family, "a reply to a type {} query gives family {}",
                  static_cast<int>(type), address.family);
    }
  }
  linger::ResolvConf conf = linger::ParseResolvConf(text);
  fuzz::Check(!conf.nameservers.empty() && conf.nameservers.size() <= 3, "{} nameservers",
              conf.nameservers.size());
  fuzz::Check(conf.ndots >= 0 && conf.ndots <= 15 && conf.timeout_seconds >= 1 &&
                  conf.timeout_seconds <= 30 && conf.attempts >= 1 && conf.attempts <= 5,
              "options out of range: ndots {} timeout {} attempts {}", conf.ndots,
              conf.timeout_seconds, conf.attempts);
  (void)linger::LookUpHosts(text, "db.test");
  std::string_view lines = linger::CompleteLines(text);
  fuzz::Check(text.starts_with(lines) && (lines.empty() || lines.ends_with('\n')),
              "CompleteLines gives more than the whole lines");
  return 0;
}
