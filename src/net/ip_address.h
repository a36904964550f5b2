// IPv4 and IPv6 addresses: read, written, and an IPv4-mapped one seen as the IPv4 address it
// carries. Pure: no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace linger {

// An IPv4 or IPv6 address.
struct IpAddress {
  int family = 0;                         // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};  // network order; IPv4 uses the first 4
  bool operator==(const IpAddress&) const = default;
};

// Reads "127.0.0.1" or "::1" (no brackets); nothing when `text` is neither.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// "127.0.0.1" or "::1".
std::string FormatAddress(const IpAddress& address);

// "127.0.0.1:80" or "[::1]:80".
std::string FormatEndpoint(const IpAddress& address, std::uint16_t port);

// The IPv4 address inside an IPv4-mapped IPv6 address; any other address unchanged.
IpAddress Unmapped(const IpAddress& address);

}  // namespace linger
