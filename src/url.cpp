#include "url.h"

#include <fmt/format.h>

#include "socket_headers.h"
#include "text.h"

namespace linger {
namespace {

// RFC 1123 host names, plus '_' which real clusters use (Consul, SRV-style service names).
bool IsHostName(std::string_view host) {
  if (host.ends_with('.')) host.remove_suffix(1);
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

Result<Url> ParseUrl(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return UsageError(fmt::format("invalid URL '{}': {}", Printable(text), why));
  };
  if (StartsWithIgnoreCase(text, "https://")) {
    return invalid("https needs TLS, which linger does not have; use http://");
  }
  if (!StartsWithIgnoreCase(text, "http://")) {
    return invalid(text.find("://") == std::string_view::npos ? "it must start with http://"
                                                              : "only http:// is supported");
  }
  for (char c : text) {
    // They would break the request line; a client must send them percent-encoded.
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return invalid("spaces and control characters must be percent-encoded");
    }
  }
  if (text.find('#') != std::string_view::npos) return invalid("fragments (#...) are not allowed");
  std::string_view rest = text.substr(7);
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  Url url;
  url.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (url.target.front() == '?') url.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return invalid("user names and passwords (user:pass@) are not allowed");
  }

  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("'[' without ']'");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return invalid("junk after ']'");
    if (!after.empty()) port = after.substr(1);
    in6_addr ignored;
    if (inet_pton(AF_INET6, std::string(host).c_str(), &ignored) != 1) {
      return invalid(fmt::format("'{}' is not an IPv6 address", Printable(host)));
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (host.empty()) return invalid("no host");
    bool numeric = host.find_first_not_of("0123456789.") == std::string_view::npos;
    in_addr ignored;
    if (numeric ? inet_pton(AF_INET, std::string(host).c_str(), &ignored) != 1
                : !IsHostName(host)) {
      return invalid(fmt::format("'{}' is not a valid host", Printable(host)));
    }
  }
  url.host = host;
  url.authority = authority;
  if (port.data() != nullptr) {
    std::optional<std::uint64_t> value = ParseUnsigned(port, 65535);
    if (!value || *value == 0) {
      return invalid(fmt::format("port '{}' is not a number in 1-65535", Printable(port)));
    }
    url.port = static_cast<std::uint16_t>(*value);
    // The Host header names the port only when it is not the default, as browsers and curl do.
    if (url.port == 80) url.authority = authority.substr(0, authority.rfind(':'));
  }
  return url;
}

}  // namespace linger
