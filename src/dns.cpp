#include "dns.h"

#include <fmt/format.h>

#include <algorithm>

#include "socket_headers.h"
#include "text.h"

namespace linger {
namespace {

// Calls `f` with each line of `text`, comments ('#' or ';' to the end) removed, split into words.
template <typename F>
void ForEachLine(std::string_view text, F f) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    line = line.substr(0, line.find_first_of("#;"));
    std::vector<std::string_view> words;
    while (true) {
      size_t start = line.find_first_not_of(" \t\r");
      if (start == std::string_view::npos) break;
      line.remove_prefix(start);
      size_t stop = line.find_first_of(" \t\r");
      words.push_back(line.substr(0, stop));
      line.remove_prefix(stop == std::string_view::npos ? line.size() : stop);
    }
    if (!words.empty()) f(words);
  }
}

std::string_view WithoutFinalDot(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  return name;
}

// "ndots:3" -> 3, clamped to [min, max] as glibc does; `fallback` when malformed.
int OptionValue(std::string_view text, int fallback, int min, int max) {
  std::optional<std::uint64_t> value = ParseUnsigned(text, UINT64_MAX);
  if (!value) return fallback;
  return std::max(
      min, static_cast<int>(std::min<std::uint64_t>(*value, static_cast<std::uint64_t>(max))));
}

std::uint16_t Read16(std::string_view message, size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(message[at]) << 8 |
                                    static_cast<unsigned char>(message[at + 1]));
}

// Moves `at` past a possibly compressed name (RFC 1035 4.1.4); false when it runs off the end.
bool SkipName(std::string_view message, size_t& at) {
  while (at < message.size()) {
    auto length = static_cast<unsigned char>(message[at]);
    if (length == 0) {
      at += 1;
      return true;
    }
    if ((length & 0xc0) == 0xc0) {
      at += 2;
      return at <= message.size();
    }
    if ((length & 0xc0) != 0) return false;
    at += 1 + length;
  }
  return false;
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

std::string FormatEndpoint(const IpAddress& address, std::uint16_t port) {
  char text[INET6_ADDRSTRLEN] = "?";
  inet_ntop(address.family, address.bytes.data(), text, sizeof text);
  if (address.family == AF_INET6) return fmt::format("[{}]:{}", text, port);
  return fmt::format("{}:{}", text, port);
}

std::vector<IpAddress> LookUpHosts(std::string_view hosts, std::string_view name) {
  std::vector<IpAddress> found;
  name = WithoutFinalDot(name);
  ForEachLine(hosts, [&](const std::vector<std::string_view>& words) {
    std::optional<IpAddress> address = ParseIpAddress(words[0]);
    if (!address) return;
    bool named = std::any_of(words.begin() + 1, words.end(), [&](std::string_view alias) {
      return EqualsIgnoreCase(WithoutFinalDot(alias), name);
    });
    if (named) found.push_back(*address);
  });
  return found;
}

ResolvConf ParseResolvConf(std::string_view text) {
  ResolvConf conf;
  ForEachLine(text, [&](const std::vector<std::string_view>& words) {
    std::string_view keyword = words[0];
    if (keyword == "nameserver" && words.size() > 1 && conf.nameservers.size() < 3) {
      if (std::optional<IpAddress> address = ParseIpAddress(words[1])) {
        conf.nameservers.push_back(*address);
      }
    } else if (keyword == "search" || keyword == "domain") {
      conf.search.assign(words.begin() + 1, words.end());
    } else if (keyword == "options") {
      for (std::string_view option : words) {
        size_t colon = option.find(':');
        std::string_view name = option.substr(0, colon);
        std::string_view value = colon == std::string_view::npos ? "" : option.substr(colon + 1);
        // glibc's limits (resolv.conf(5)).
        if (name == "ndots") conf.ndots = OptionValue(value, conf.ndots, 0, 15);
        if (name == "timeout")
          conf.timeout_seconds = OptionValue(value, conf.timeout_seconds, 1, 30);
        if (name == "attempts") conf.attempts = OptionValue(value, conf.attempts, 1, 5);
      }
    }
  });
  if (conf.nameservers.empty()) conf.nameservers.push_back(*ParseIpAddress("127.0.0.1"));
  return conf;
}

std::vector<std::string> SearchNames(std::string_view name, const ResolvConf& conf) {
  if (name.ends_with('.')) return {std::string(WithoutFinalDot(name))};
  std::vector<std::string> names;
  for (const std::string& domain : conf.search) {
    names.push_back(fmt::format("{}.{}", name, WithoutFinalDot(domain)));
  }
  auto dots = std::count(name.begin(), name.end(), '.');
  names.insert(dots >= conf.ndots ? names.begin() : names.end(), std::string(name));
  return names;
}

std::string BuildDnsQuery(std::uint16_t id, std::string_view name, DnsType type) {
  // Header: id, flags with RD (recursion desired), one question, no other records.
  std::string query = {
      static_cast<char>(id >> 8), static_cast<char>(id & 0xff), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  name = WithoutFinalDot(name);
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63) return {};
    query.push_back(static_cast<char>(label.size()));
    query.append(label);
    name.remove_prefix(dot == std::string_view::npos ? name.size() : dot + 1);
  }
  query.push_back(0);
  if (query.size() - 12 > 255) return {};
  query += {0, static_cast<char>(type), 0, 1};  // type (both fit in one byte), class IN
  return query;
}

std::optional<DnsReply> ParseDnsReply(std::string_view message, std::uint16_t id, DnsType type) {
  if (message.size() < 12 || Read16(message, 0) != id) return std::nullopt;
  std::uint16_t flags = Read16(message, 2);
  if ((flags & 0x8000) == 0) return std::nullopt;  // a query, not a reply
  DnsReply reply;
  reply.rcode = flags & 0xf;
  size_t at = 12;
  for (std::uint16_t i = Read16(message, 4); i > 0; --i) {
    if (!SkipName(message, at) || (at += 4) > message.size()) return std::nullopt;
  }
  for (std::uint16_t i = Read16(message, 6); i > 0; --i) {
    if (!SkipName(message, at) || at + 10 > message.size()) return std::nullopt;
    std::uint16_t record_type = Read16(message, at);
    std::uint16_t record_class = Read16(message, at + 2);
    std::uint16_t length = Read16(message, at + 8);
    at += 10;
    if (at + length > message.size()) return std::nullopt;
    size_t expected = type == kDnsA ? 4 : 16;
    if (record_type == type && record_class == 1 && length == expected) {
      IpAddress address;
      address.family = type == kDnsA ? AF_INET : AF_INET6;
      std::copy_n(message.begin() + static_cast<std::ptrdiff_t>(at), length, address.bytes.begin());
      reply.addresses.push_back(address);
    }
    at += length;
  }
  // A truncated reply with no usable record would need TCP; another server may do better.
  if ((flags & 0x0200) != 0 && reply.addresses.empty()) reply.rcode = 2;
  return reply;
}

}  // namespace linger
