// ParseSleepOperand on any bytes, against coreutils' own rule: strtod in the C locale, then at most
// one suffix s, m, h or d, a value that is not below zero, and overflow taken as forever. Both
// must accept the same operands, and agree on the value to within double's rounding.
// Skipped, because linger refuses them on purpose: hexadecimal floats ("0x1p3"), and negative
// values that a double rounds to -0 ("-1e-400"), which coreutils takes as zero.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "check.h"
#include "sleep_args.h"

namespace {

using linger::Duration;

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// True for a hexadecimal float after the leading space and sign, as strtod would read it.
bool IsHex(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  char c = s[2] == '.' && s.size() > 3 ? s[3] : s[2];
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// coreutils sleep's reading of one operand, in seconds (HUGE_VAL for forever), or nothing; -1
// for a negative value that underflowed.
std::optional<long double> Coreutils(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return std::nullopt;
  if (value == 0 && std::signbit(value) && errno == ERANGE) return -1;  // see above
  if (!(value >= 0)) return std::nullopt;  // negative or NaN; -0 passes
  if (*end != '\0' && end[1] != '\0') return std::nullopt;
  long double unit = 1;
  switch (*end) {
    case '\0':
    case 's':
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return std::nullopt;
  }
  return static_cast<long double>(value) * unit;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  // An argv word cannot hold a NUL byte.
  if (text.find('\0') != std::string_view::npos || IsHex(text)) return 0;
  linger::Result<Duration> ours = linger::ParseSleepOperand(text);
  std::optional<long double> theirs = Coreutils(std::string(text));
  if (theirs == -1) return 0;
  fuzz::Check(ours.ok() == theirs.has_value(), "'{}': linger {}, coreutils {}", text,
              ours.ok() ? "accepts" : "refuses", theirs ? "accepts" : "refuses");
  if (!ours.ok()) {
    fuzz::Check(ours.error().message.starts_with("invalid time interval '"), "'{}': error '{}'",
                text, ours.error());
    return 0;
  }
  long double ns = *theirs * 1e9L;
  // Near 2^63 ns (~292 years) double's rounding may fall either side of the limit.
  if (ns > 9.3e18L) {
    fuzz::Check(*ours == Duration::max(), "'{}' is {} s, not forever", text, *theirs);
  } else if (ns < 9.1e18L) {
    long double diff = std::fabs(static_cast<long double>(ours->count()) - ns);
    fuzz::Check(diff <= 2 + ns * 1e-15L, "'{}': linger {}ns, coreutils {}ns", text, ours->count(),
                ns);
  }
  return 0;
}
