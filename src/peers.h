// Lists of peer addresses and networks, as "--ignore-from 10.0.3.17,10.0.0.0/24,fd00::/64" gives
// them. Pure.
#pragma once

#include <string_view>
#include <vector>

#include "net/ip_address.h"
#include "result.h"

namespace linger {

// An address with the number of leading bits that must match; a plain address is a /32 or /128.
struct Cidr {
  IpAddress network;
  int prefix = 0;
};

// A set of addresses and networks of either family.
class PeerList {
 public:
  // Parses comma-separated addresses and CIDRs; bits beyond the prefix must be zero
  // ("10.0.0.1/24" is refused as a likely typo). `what` names the list in errors.
  static Result<PeerList> Parse(std::string_view text, std::string_view what);

  // True when `address` lies in one of the entries. An IPv4-mapped IPv6 address (::ffff:a.b.c.d,
  // how a dual-stack socket sees an IPv4 peer) matches IPv4 entries, and an IPv4 address matches
  // IPv4-mapped entries.
  bool Contains(const IpAddress& address) const;

  // True when the list has no entry.
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Cidr> entries_;
};

}  // namespace linger
