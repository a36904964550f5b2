// The URLs wait-http polls: http(s)://HOST[:PORT][/PATH][?QUERY]. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace linger {

// An http or https URL taken apart.
struct Url {
  bool tls = false;         // https://
  std::string host;         // name, dotted IPv4, or IPv6 without its brackets
  std::uint16_t port = 80;  // 443 for https
  std::string authority;    // host (bracketed for IPv6) and ":PORT" unless the default: Host
  std::string target;       // path and query for the request line, at least "/"
};

// HOST[:PORT] taken apart: a URL's authority, or wait-tcp's argument.
struct Endpoint {
  std::string host;         // name, dotted IPv4, or IPv6 without its brackets
  std::uint16_t port = 0;   // the given port, else the default
  bool port_given = false;  // ":PORT" was written
};

// Parses "host", "host:port", "1.2.3.4:port" or "[v6]:port". Without a port, `default_port`
// applies, or it is an error when there is none. Errors say what is wrong, without the text.
Result<Endpoint> ParseHostPort(std::string_view text, std::optional<std::uint16_t> default_port);

// Parses `text`. Other schemes, userinfo, fragments, bad hosts and ports are errors naming the URL.
Result<Url> ParseUrl(std::string_view text);

}  // namespace linger
