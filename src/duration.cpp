#include "duration.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>

#include "text.h"

namespace linger {
namespace {

// 128 bits hold any sum of in-range components, so overflow is checked once per component.
__extension__ using u128 = unsigned __int128;

struct Unit {
  std::string_view name;
  uint64_t nanoseconds;
};

// "µs" arrives as U+00B5 (micro sign) or U+03BC (Greek mu); Go accepts both, so do we.
constexpr Unit kUnits[] = {
    {"ns", 1},         {"us", 1'000},        {"\u00b5s", 1'000},    {"\u03bcs", 1'000},
    {"ms", 1'000'000}, {"s", 1'000'000'000}, {"m", 60'000'000'000}, {"h", 3'600'000'000'000},
};

constexpr u128 kMax = std::numeric_limits<int64_t>::max();

Error Invalid(std::string_view text, std::string_view why) {
  return Error::Invalid(fmt::format("invalid duration '{}': {}", Printable(text), why));
}

// One "<digits>[.<digits>]" number scaled by `unit`, or nothing on overflow. Fraction digits beyond
// what 64 bits hold are below a nanosecond for every unit, so they are dropped, as Go does.
struct Number {
  u128 whole = 0;
  u128 fraction = 0;
  u128 scale = 1;
  bool has_digits = false;
};

Number ReadNumber(std::string_view& s, bool& overflow) {
  Number n;
  size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    n.whole = n.whole * 10 + static_cast<unsigned>(s[i] - '0');
    if (n.whole > kMax) overflow = true;
    n.has_digits = true;
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && IsDigit(s[i]); ++i) {
      n.has_digits = true;
      if (n.scale > std::numeric_limits<uint64_t>::max() / 10) continue;
      n.fraction = n.fraction * 10 + static_cast<unsigned>(s[i] - '0');
      n.scale *= 10;
    }
  }
  s.remove_prefix(i);
  return n;
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  std::string_view s = text;
  if (s.empty()) return Invalid(text, "empty");
  if (s.front() == '-') return Invalid(text, "must not be negative");
  if (s.front() == '+') s.remove_prefix(1);
  if (s == "0") return Duration{0};

  u128 total = 0;
  bool bare = true;  // a lone number without a unit means seconds
  do {
    bool overflow = false;
    Number n = ReadNumber(s, overflow);
    if (!n.has_digits) {
      return s.empty() ? Invalid(text, "expected a number")
                       : Invalid(text, fmt::format("expected a number at '{}'", Printable(s)));
    }
    if (overflow) return Invalid(text, "too large (the limit is about 292 years)");

    size_t unit_len = 0;
    while (unit_len < s.size() && !IsDigit(s[unit_len]) && s[unit_len] != '.') ++unit_len;
    std::string_view unit_name = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    uint64_t unit = 1'000'000'000;
    if (unit_name.empty()) {
      if (!bare || !s.empty()) return Invalid(text, "missing unit (ns, us, ms, s, m or h)");
    } else {
      bare = false;
      const Unit* found = nullptr;
      for (const Unit& u : kUnits) {
        if (u.name == unit_name) found = &u;
      }
      if (found == nullptr) {
        return Invalid(text, fmt::format("unknown unit '{}'", Printable(unit_name)));
      }
      unit = found->nanoseconds;
    }
    total += n.whole * unit + n.fraction * unit / n.scale;
    if (total > kMax) return Invalid(text, "too large (the limit is about 292 years)");
  } while (!s.empty());
  return Duration{static_cast<int64_t>(total)};
}

std::chrono::steady_clock::time_point DeadlineAfter(std::chrono::steady_clock::time_point start,
                                                    Duration d) {
  using TimePoint = std::chrono::steady_clock::time_point;
  if (d >= TimePoint::max() - start) return TimePoint::max();
  return start + std::chrono::duration_cast<TimePoint::duration>(d);
}

std::string FormatDuration(Duration d) {
  auto ns = static_cast<uint64_t>(d.count() < 0 ? 0 : d.count());
  if (ns == 0) return "0s";
  // Below a second, the largest unit that keeps the whole part non-zero; above, h/m/s.
  auto with_fraction = [](uint64_t value, uint64_t unit, std::string_view name) {
    std::string out = fmt::format("{}", value / unit);
    if (uint64_t rest = value % unit; rest != 0) {
      std::string digits = fmt::format("{:0{}}", rest, fmt::format("{}", unit - 1).size());
      digits.erase(digits.find_last_not_of('0') + 1);
      out += "." + digits;
    }
    return out += name;
  };
  if (ns < 1'000) return fmt::format("{}ns", ns);
  if (ns < 1'000'000) return with_fraction(ns, 1'000, "us");
  if (ns < 1'000'000'000) return with_fraction(ns, 1'000'000, "ms");
  std::string out;
  if (uint64_t h = ns / 3'600'000'000'000; h != 0) out += fmt::format("{}h", h);
  ns %= 3'600'000'000'000;
  if (uint64_t m = ns / 60'000'000'000; m != 0) out += fmt::format("{}m", m);
  ns %= 60'000'000'000;
  if (ns != 0) out += with_fraction(ns, 1'000'000'000, "s");
  return out;
}

}  // namespace linger
