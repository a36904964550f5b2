#include "net/url.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

#include "net/ip_address.h"
#include "socket_headers.h"
#include "text.h"

namespace linger {
namespace {

// RFC 1123 host names, plus '_' which real clusters use (Consul, SRV-style service names).
bool IsHostName(std::string_view host) {
  host = WithoutFinalDot(host);
  if (host.empty() || host.size() > 253) return false;
  size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok =
        IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

}  // namespace

Result<Endpoint> ParseHostPort(std::string_view text, std::optional<std::uint16_t> default_port) {
  Endpoint endpoint;
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return Error::Invalid("'[' without ']'");
    host = text.substr(1, close - 1);
    std::string_view after = text.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return Error::Invalid("junk after ']'");
    if (!after.empty()) port = after.substr(1);
    std::optional<IpAddress> address = ParseIpAddress(host);
    if (!address || address->family != AF_INET6) {
      return Error::Invalid(fmt::format("'{}' is not an IPv6 address", Printable(host)));
    }
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
    }
    if (host.empty()) return Error::Invalid("no host");
    // Digits and dots can only be an IPv4 address, never an IPv6 one.
    bool numeric = host.find_first_not_of("0123456789.") == std::string_view::npos;
    if (numeric ? !ParseIpAddress(host) : !IsHostName(host)) {
      return Error::Invalid(fmt::format("'{}' is not a valid host", Printable(host)));
    }
  }
  endpoint.host = host;
  endpoint.port_given = port.data() != nullptr;
  if (!endpoint.port_given) {
    if (!default_port) return Error::Invalid("no port (HOST:PORT)");
    endpoint.port = *default_port;
    return endpoint;
  }
  std::optional<std::uint64_t> value = ParseUnsigned(port, 65535);
  if (!value || *value == 0) {
    return Error::Invalid(fmt::format("port '{}' is not a number in 1-65535", Printable(port)));
  }
  endpoint.port = static_cast<std::uint16_t>(*value);
  return endpoint;
}

Result<Url> ParseUrl(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Error::Invalid(fmt::format("invalid URL '{}': {}", Printable(text), why));
  };
  Url url;
  url.tls = StartsWithIgnoreCase(text, "https://");
  if (!url.tls && !StartsWithIgnoreCase(text, "http://")) {
    return invalid(text.find("://") == std::string_view::npos
                       ? "it must start with http:// or https://"
                       : "only http:// and https:// are supported");
  }
  if (url.tls) url.port = 443;
  for (char c : text) {
    // They would break the request line; a client must send them percent-encoded.
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return invalid("spaces and control characters must be percent-encoded");
    }
  }
  if (text.find('#') != std::string_view::npos) return invalid("fragments (#...) are not allowed");
  std::string_view rest = text.substr(url.tls ? 8 : 7);
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  url.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (url.target.front() == '?') url.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return invalid("user names and passwords (user:pass@) are not allowed");
  }

  Result<Endpoint> endpoint = ParseHostPort(authority, url.port);
  if (!endpoint.ok()) return invalid(endpoint.error().message);
  url.host = endpoint->host;
  url.port = endpoint->port;
  url.authority = authority;
  // The Host header names the port only when it is not the default, as browsers and curl do.
  if (endpoint->port_given && url.port == (url.tls ? 443 : 80)) {
    url.authority = authority.substr(0, authority.rfind(':'));
  }
  return url;
}

}  // namespace linger
