// The URLs wait-http polls: http://HOST[:PORT][/PATH][?QUERY]. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "result.h"

namespace linger {

// An http URL taken apart.
struct Url {
  std::string host;  // name, dotted IPv4, or IPv6 without its brackets
  std::uint16_t port = 80;
  std::string authority;  // host (bracketed for IPv6) and ":PORT" unless 80: the Host header
  std::string target;     // path and query for the request line, at least "/"
};

// Parses `text`. https (no TLS here), other schemes, userinfo, fragments, bad hosts and ports are
// errors naming the URL.
Result<Url> ParseUrl(std::string_view text);

}  // namespace linger
