#include "net/dns.h"

#include <fmt/format.h>

#include <algorithm>

#include "socket_headers.h"
#include "text.h"

namespace linger {
namespace {

// Calls `f` with each line of `text` split into words, comments (from any of `comment` to the end
// of the line) removed.
template <typename F>
void ForEachLine(std::string_view text, std::string_view comment, F f) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    line = line.substr(0, line.find_first_of(comment));
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

// `name` as it travels in a message (RFC 1035 3.1: length-prefixed labels, then a zero), or ""
// when it cannot be encoded (an empty label, a label over 63 bytes, a name over 255).
std::string WireName(std::string_view name) {
  std::string wire;
  name = WithoutFinalDot(name);
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63) return {};
    wire.push_back(static_cast<char>(label.size()));
    wire.append(label);
    name.remove_prefix(dot == std::string_view::npos ? name.size() : dot + 1);
  }
  wire.push_back(0);
  return wire.size() > 255 ? std::string() : wire;
}

// Reads the possibly compressed name at `at` (RFC 1035 4.1.4) into its wire form and moves `at`
// past it; false when it runs off the end, loops or grows over 255 bytes. Wire forms compare
// with EqualsIgnoreCase: the length bytes (0-63) are never letters.
bool ReadName(std::string_view message, size_t& at, std::string& name) {
  name.clear();
  size_t pos = at;
  bool jumped = false;
  for (int jumps = 0; pos < message.size();) {
    auto length = static_cast<unsigned char>(message[pos]);
    if ((length & 0xc0) == 0xc0) {
      // A pointer to an earlier name; a chain of pointers to pointers would never end.
      if (pos + 1 >= message.size() || ++jumps > 32) return false;
      if (!jumped) at = pos + 2;
      jumped = true;
      pos = static_cast<size_t>(length & 0x3f) << 8 | static_cast<unsigned char>(message[pos + 1]);
      continue;
    }
    if ((length & 0xc0) != 0 || pos + 1 + length > message.size()) return false;
    name.append(message.substr(pos, 1 + length));
    if (name.size() > 255) return false;
    if (length == 0) {
      if (!jumped) at = pos + 1;
      return true;
    }
    pos += 1 + length;
  }
  return false;
}

// True when wire-form `name` is one of `names`.
bool IsOneOf(std::string_view name, const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& known) { return EqualsIgnoreCase(known, name); });
}

}  // namespace

std::vector<IpAddress> InterleaveFamilies(const std::vector<IpAddress>& addresses) {
  std::vector<IpAddress> first, other;
  for (const IpAddress& address : addresses) {
    (address.family == addresses[0].family ? first : other).push_back(address);
  }
  std::vector<IpAddress> turns;
  for (size_t i = 0; i < std::max(first.size(), other.size()); ++i) {
    if (i < first.size()) turns.push_back(first[i]);
    if (i < other.size()) turns.push_back(other[i]);
  }
  return turns;
}

std::vector<IpAddress> LookUpHosts(std::string_view hosts, std::string_view name) {
  std::vector<IpAddress> found;
  name = WithoutFinalDot(name);
  ForEachLine(hosts, "#", [&](const std::vector<std::string_view>& words) {
    std::optional<IpAddress> address = ParseIpAddress(words[0]);
    if (!address) return;
    bool named = std::any_of(words.begin() + 1, words.end(), [&](std::string_view alias) {
      return EqualsIgnoreCase(WithoutFinalDot(alias), name);
    });
    if (named) found.push_back(*address);
  });
  return found;
}

std::string_view CompleteLines(std::string_view text) {
  size_t last = text.rfind('\n');
  return text.substr(0, last == std::string_view::npos ? 0 : last + 1);
}

ResolvConf ParseResolvConf(std::string_view text) {
  ResolvConf conf;
  // resolv.conf(5): '#' and ';' both start comments.
  ForEachLine(text, "#;", [&](const std::vector<std::string_view>& words) {
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

size_t ServerChoice::First(const std::vector<IpAddress>& servers) const {
  auto found = first_ ? std::find(servers.begin(), servers.end(), *first_) : servers.end();
  return found == servers.end() ? 0 : static_cast<size_t>(found - servers.begin());
}

void ServerChoice::Answered(const IpAddress& server) { first_ = server; }

void ServerChoice::Failed(const std::vector<IpAddress>& servers, size_t index) {
  if (index == First(servers)) first_ = servers[(index + 1) % servers.size()];
}

Result<std::string> BuildDnsQuery(std::uint16_t id, std::string_view name, DnsType type) {
  std::string wire = WireName(name);
  if (wire.empty())
    return Error::Invalid("an empty label, a label over 63 bytes or a name over 255");
  // Header: id, flags with RD (recursion desired), one question, no other records.
  std::string query = {
      static_cast<char>(id >> 8), static_cast<char>(id & 0xff), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  query += wire;
  query += {0, static_cast<char>(type), 0, 1};  // type (both fit in one byte), class IN
  return query;
}

std::optional<DnsReply> ParseDnsReply(std::string_view message, std::uint16_t id,
                                      std::string_view name, DnsType type) {
  if (message.size() < 12 || Read16(message, 0) != id) return std::nullopt;
  std::uint16_t flags = Read16(message, 2);
  if ((flags & 0x8000) == 0) return std::nullopt;  // a query, not a reply
  // The question must be the one asked: a reply with the right id about another name is a stray
  // or a forgery (RFC 5452 9.1), and glibc's res_queriesmatch ignores it too.
  std::string asked = WireName(name);
  std::string owner;
  size_t at = 12;
  if (asked.empty() || Read16(message, 4) != 1 || !ReadName(message, at, owner) ||
      at + 4 > message.size() || !EqualsIgnoreCase(owner, asked) || Read16(message, at) != type ||
      Read16(message, at + 2) != 1) {
    return std::nullopt;
  }
  at += 4;
  // The answer records of class IN; which of them count is decided once all are read, since a
  // server may list an alias's records before the CNAME that leads to it.
  struct Record {
    std::string owner;
    std::uint16_t type;
    size_t data;
    std::uint16_t length;
  };
  std::vector<Record> records;
  for (std::uint16_t i = Read16(message, 6); i > 0; --i) {
    if (!ReadName(message, at, owner) || at + 10 > message.size()) return std::nullopt;
    Record record{owner, Read16(message, at), at + 10, Read16(message, at + 8)};
    bool internet = Read16(message, at + 2) == 1;
    at += 10 + record.length;
    if (at > message.size()) return std::nullopt;
    if (internet) records.push_back(std::move(record));
  }
  // The asked name, then each alias its CNAME chain leads to; a chain that loops ends there.
  constexpr std::uint16_t kCname = 5;
  std::vector<std::string> names = {asked};
  for (bool longer = true; longer && names.size() < 16;) {
    longer = false;
    for (const Record& record : records) {
      if (record.type != kCname || !EqualsIgnoreCase(record.owner, names.back())) continue;
      size_t target_at = record.data;
      std::string target;
      if (!ReadName(message, target_at, target)) return std::nullopt;
      if (!IsOneOf(target, names)) {
        names.push_back(std::move(target));
        longer = true;
      }
      break;
    }
  }
  DnsReply reply;
  reply.rcode = flags & 0xf;
  size_t expected = type == kDnsA ? 4 : 16;
  for (const Record& record : records) {
    if (record.type != type || record.length != expected || !IsOneOf(record.owner, names)) continue;
    IpAddress address;
    address.family = type == kDnsA ? AF_INET : AF_INET6;
    std::copy_n(message.begin() + static_cast<std::ptrdiff_t>(record.data), expected,
                address.bytes.begin());
    reply.addresses.push_back(address);
  }
  // A truncated reply with no usable record would need TCP; another server may do better.
  if ((flags & 0x0200) != 0 && reply.addresses.empty()) reply.rcode = 2;
  return reply;
}

}  // namespace linger
