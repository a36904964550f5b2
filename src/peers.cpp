#include "peers.h"

#include <fmt/format.h>

#include <cstdint>

#include "socket_headers.h"
#include "text.h"

namespace linger {
namespace {

// True when the first `bits` bits of `a` and `b` are equal.
bool SamePrefix(const IpAddress& a, const IpAddress& b, int bits) {
  int i = 0;
  for (; bits >= 8; bits -= 8, ++i) {
    if (a.bytes[static_cast<size_t>(i)] != b.bytes[static_cast<size_t>(i)]) return false;
  }
  if (bits == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - bits));
  return ((a.bytes[static_cast<size_t>(i)] ^ b.bytes[static_cast<size_t>(i)]) & mask) == 0;
}

// Reads "ADDRESS" or "ADDRESS/PREFIX"; the message says what is wrong with `item`.
Result<Cidr> ParseCidr(std::string_view item) {
  const size_t slash = item.find('/');
  std::optional<IpAddress> address = ParseIpAddress(item.substr(0, slash));
  if (!address) {
    return Error::Invalid(
        fmt::format("'{}' is not an IP address", Printable(item.substr(0, slash))));
  }
  Cidr cidr{Unmapped(*address), 0};
  const int written_bits = address->family == AF_INET ? 32 : 128;
  cidr.prefix = written_bits;
  if (slash != std::string_view::npos) {
    std::string_view digits = item.substr(slash + 1);
    std::optional<std::uint64_t> prefix =
        ParseUnsigned(digits, static_cast<std::uint64_t>(written_bits));
    if (!prefix) {
      return Error::Invalid(
          fmt::format("'{}' is not a prefix length of 0-{}", Printable(digits), written_bits));
    }
    cidr.prefix = static_cast<int>(*prefix);
  }
  // An IPv4-mapped network is kept as the IPv4 network it stands for.
  if (address->family != cidr.network.family) {
    if (cidr.prefix < 96) {
      return Error::Invalid(fmt::format("'{}' is wider than IPv4-mapped", Printable(item)));
    }
    cidr.prefix -= 96;
  }
  const int bits = cidr.network.family == AF_INET ? 32 : 128;
  for (int bit = cidr.prefix; bit < bits; ++bit) {
    if (((cidr.network.bytes[static_cast<size_t>(bit / 8)] >> (7 - bit % 8)) & 1) != 0) {
      return Error::Invalid(
          fmt::format("'{}' has bits set beyond /{}", Printable(item), cidr.prefix));
    }
  }
  return cidr;
}

}  // namespace

Result<PeerList> PeerList::Parse(std::string_view text, std::string_view what) {
  PeerList list;
  for (std::string_view item : Split(text)) {
    Result<Cidr> cidr = item.empty() ? Result<Cidr>(Error::Invalid("empty item")) : ParseCidr(item);
    if (!cidr.ok()) {
      return Error::Invalid(
          fmt::format("invalid {} '{}': {}", what, Printable(text), cidr.error()));
    }
    list.entries_.push_back(*cidr);
  }
  return list;
}

bool PeerList::Contains(const IpAddress& address) const {
  const IpAddress plain = Unmapped(address);
  for (const Cidr& entry : entries_) {
    if (entry.network.family == plain.family && SamePrefix(entry.network, plain, entry.prefix)) {
      return true;
    }
  }
  return false;
}

}  // namespace linger
