#include "sleep_args.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "text.h"

namespace linger {
namespace {

__extension__ using u128 = unsigned __int128;

constexpr u128 kMaxNanoseconds = std::numeric_limits<int64_t>::max();
constexpr Duration kForever = Duration::max();

// Removes `word` from the front of `s` if it is there in any case, as strtod reads "INF".
bool ConsumeIgnoreCase(std::string_view& s, std::string_view word) {
  if (!StartsWithIgnoreCase(s, word)) return false;
  s.remove_prefix(word.size());
  return true;
}

// The digits of a decimal "123.45e-1" with the position of its point: value = 0.DIGITS * 10^point.
struct Decimal {
  std::string digits;  // significant digits, no leading zeros; empty for zero
  int64_t point = 0;
};

// Reads [digits][.digits][e[+-]digits] from the front of `s` as strtod does: at least one digit
// in the mantissa, and an exponent only when a digit follows its 'e'. False when there is none.
bool ReadDecimal(std::string_view& s, Decimal& out) {
  size_t i = 0;
  bool any = false;
  int64_t point = 0;
  for (bool fraction = false;; ++i) {
    if (i < s.size() && s[i] == '.' && !fraction) {
      fraction = true;
      continue;
    }
    if (i >= s.size() || !IsDigit(s[i])) break;
    any = true;
    if (out.digits.empty() && s[i] == '0') {
      if (fraction) --point;  // a leading zero after the point only moves it
      continue;
    }
    out.digits.push_back(s[i]);
    if (!fraction) ++point;
  }
  if (!any) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    bool negative = j < s.size() && s[j] == '-';
    if (j < s.size() && (s[j] == '-' || s[j] == '+')) ++j;
    if (j < s.size() && IsDigit(s[j])) {
      // Saturates: beyond a million digits of exponent the value is 0 or forever either way.
      int64_t exponent = 0;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        exponent = std::min<int64_t>(exponent * 10 + (s[j] - '0'), 1'000'000);
      }
      point += negative ? -exponent : exponent;
      i = j;
    }
  }
  // Trailing zeros add nothing; without them every digit left below a nanosecond counts.
  while (!out.digits.empty() && out.digits.back() == '0') out.digits.pop_back();
  out.point = point;
  s.remove_prefix(i);
  return true;
}

// 0.DIGITS * 10^point seconds times `unit` (60 for minutes), in nanoseconds rounded up, or forever
// when too large. Five digits below the nanosecond are kept until the multiplication: a unit of up
// to 86400 moves them up (".001001000085h" is 3603600306ns, not 3603603600ns).
Duration ToNanoseconds(const Decimal& d, uint64_t unit) {
  if (d.digits.empty()) return Duration{0};
  // 19 digits of whole nanoseconds already exceed int64_t's 9.2e18.
  if (d.point + 9 > 19) return kForever;
  constexpr int64_t kExtraDigits = 5;
  constexpr u128 kExtraScale = 100'000;
  int64_t count = d.point + 9 + kExtraDigits;  // digits of the value in units of 10^-14 s
  u128 scaled = 0;
  for (int64_t i = 0; i < count; ++i) {
    size_t at = static_cast<size_t>(i);
    scaled = scaled * 10 + static_cast<unsigned>(at < d.digits.size() ? d.digits[at] - '0' : 0);
  }
  // Any digit left over is significant (no trailing zeros): the value is larger than `scaled`.
  if (count < 0 || static_cast<size_t>(count) < d.digits.size()) scaled += 1;
  u128 ns = (scaled * unit + kExtraScale - 1) / kExtraScale;
  return ns > kMaxNanoseconds ? kForever : Duration{static_cast<int64_t>(ns)};
}

// Saturating sum: forever stays forever.
Duration Add(Duration a, Duration b) {
  if (a == kForever || b == kForever || b > kForever - a) return kForever;
  return a + b;
}

constexpr std::string_view kLongOptions[] = {"help", "version"};

// The long option that `name` ("help", "hel", "version") names, as getopt_long matches a unique
// prefix; empty when none does.
std::string_view MatchLongOption(std::string_view name) {
  if (name.empty()) return {};
  for (std::string_view option : kLongOptions) {
    if (option.starts_with(name)) return option;
  }
  return {};
}

SleepCommandLine Refused(std::string message) {
  SleepCommandLine line;
  line.action = SleepCommandLine::Action::kUsageError;
  line.errors.push_back(std::move(message));
  return line;
}

}  // namespace

bool IsSleepName(std::string_view argv0) {
  size_t slash = argv0.rfind('/');
  return argv0.substr(slash == std::string_view::npos ? 0 : slash + 1) == "sleep";
}

Result<Duration> ParseSleepOperand(std::string_view text) {
  auto invalid = [&] {
    return Error::Invalid(fmt::format("invalid time interval '{}'", Printable(text)));
  };
  std::string_view s = text;
  // strtod skips leading white space, so coreutils takes " 20"; trailing white space is an error.
  while (!s.empty() && (s.front() == ' ' || (s.front() >= '\t' && s.front() <= '\r'))) {
    s.remove_prefix(1);
  }
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);

  bool forever = false;
  Decimal decimal;
  if (ConsumeIgnoreCase(s, "infinity") || ConsumeIgnoreCase(s, "inf")) {
    forever = true;
  } else if (!ReadDecimal(s, decimal)) {
    return invalid();  // also "nan", which strtod reads but coreutils refuses
  }
  // coreutils refuses a negative interval, but -0 is not below zero.
  if (negative && (forever || !decimal.digits.empty())) return invalid();

  uint64_t unit = 1;  // seconds
  if (s.size() > 1) return invalid();
  if (s.size() == 1) {
    switch (s.front()) {
      case 's':
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 60 * 60;
        break;
      case 'd':
        unit = 24 * 60 * 60;
        break;
      default:
        return invalid();
    }
  }
  return forever ? kForever : ToNanoseconds(decimal, unit);
}

SleepCommandLine ParseSleepCommandLine(std::span<char* const> args) {
  std::vector<std::string_view> operands;
  bool options_ended = false;
  for (std::string_view arg : args) {
    if (options_ended || arg == "-" || !arg.starts_with('-')) {
      operands.push_back(arg);
    } else if (arg == "--") {
      options_ended = true;
    } else if (arg.starts_with("--")) {
      std::string_view name = arg.substr(2, arg.find('=') - 2);
      std::string_view option = MatchLongOption(name);
      if (option.empty()) return Refused(fmt::format("unrecognized option '{}'", Printable(arg)));
      if (arg.find('=') != std::string_view::npos) {
        return Refused(fmt::format("option '--{}' doesn't allow an argument", option));
      }
      SleepCommandLine line;
      line.action =
          option == "help" ? SleepCommandLine::Action::kHelp : SleepCommandLine::Action::kVersion;
      return line;
    } else {
      // coreutils sleep has no short options, so the first letter is already wrong.
      return Refused(fmt::format("invalid option -- '{}'", Printable(arg.substr(1, 1))));
    }
  }
  // Only a command line with no word at all lacks an operand: "sleep --" sleeps for the empty sum,
  // 0, and exits 0, as coreutils does.
  if (args.empty()) return Refused("missing operand");

  SleepCommandLine line;
  for (std::string_view operand : operands) {
    Result<Duration> d = ParseSleepOperand(operand);
    if (d.ok()) {
      line.total = Add(line.total, *d);
    } else {
      line.action = SleepCommandLine::Action::kUsageError;
      line.errors.push_back(d.error().message);
    }
  }
  return line;
}

}  // namespace linger
