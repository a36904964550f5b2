#include "net/ip_address.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "socket_headers.h"

namespace linger {
namespace {

// True for an IPv4-mapped IPv6 address, ::ffff:a.b.c.d (RFC 4291 2.5.5.2).
bool IsMapped(const IpAddress& address) {
  constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(std::begin(kMappedPrefix), std::end(kMappedPrefix), address.bytes.begin());
}

}  // namespace

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  std::string copy(text);
  IpAddress address;
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, copy.c_str(), address.bytes.data()) == 1) {
      address.family = family;
      return address;
    }
  }
  return std::nullopt;
}

std::string FormatAddress(const IpAddress& address) {
  const auto& b = address.bytes;
  if (address.family == AF_INET) return fmt::format("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
  // RFC 5952, as inet_ntop writes it but without the C library's printf: lower-case hex without
  // leading zeros, the first longest run of two or more zero groups as "::", and an IPv4-mapped
  // address with its last 32 bits dotted.
  std::array<unsigned, 8> groups{};
  for (size_t i = 0; i < groups.size(); ++i) groups[i] = unsigned{b[2 * i]} << 8 | b[2 * i + 1];
  size_t run_start = groups.size(), run_length = 1;
  for (size_t i = 0; i < groups.size();) {
    size_t end = i;
    while (end < groups.size() && groups[end] == 0) ++end;
    if (end - i > run_length) run_start = i, run_length = end - i;
    i = std::max(end, i + 1);
  }
  const bool mapped = IsMapped(address);
  std::string text;
  for (size_t i = 0; i < (mapped ? 6u : 8u); ++i) {
    if (i == run_start) {
      text += "::";
      i += run_length - 1;
      continue;
    }
    if (!text.empty() && !text.ends_with(':')) text += ':';
    text += fmt::format("{:x}", groups[i]);
  }
  if (mapped) text += fmt::format(":{}.{}.{}.{}", b[12], b[13], b[14], b[15]);
  return text;
}

std::string FormatEndpoint(const IpAddress& address, std::uint16_t port) {
  if (address.family == AF_INET6) return fmt::format("[{}]:{}", FormatAddress(address), port);
  return fmt::format("{}:{}", FormatAddress(address), port);
}

IpAddress Unmapped(const IpAddress& address) {
  if (address.family != AF_INET6 || !IsMapped(address)) return address;
  IpAddress v4;
  v4.family = AF_INET;
  std::copy_n(address.bytes.begin() + 12, 4, v4.bytes.begin());
  return v4;
}

}  // namespace linger
