// IntList::Parse on any bytes, with the bounds of --status (100-599) and --success-exit (0-255).
// Beyond not crashing: parsing is deterministic, it accepts exactly what a plain re-parse accepts,
// and Contains agrees with that re-parse for every value in and around the bounds.
#include <climits>
#include <optional>
#include <utility>
#include <vector>

#include "check.h"
#include "int_list.h"

namespace {

using Ranges = std::vector<std::pair<int, int>>;

// Digits only, at most INT_MAX (leading zeros allowed), or nothing.
std::optional<int> PlainNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > INT_MAX) return std::nullopt;
  }
  return static_cast<int>(value);
}

// "N" or "N-M" items between commas, each within [min, max] and not backwards.
std::optional<Ranges> PlainParse(std::string_view text, int min, int max) {
  Ranges ranges;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ',') continue;
    std::string_view item = text.substr(start, i - start);
    start = i + 1;
    std::size_t dash = item.find('-');
    std::optional<int> low = PlainNumber(item.substr(0, dash));
    std::optional<int> high =
        dash == std::string_view::npos ? low : PlainNumber(item.substr(dash + 1));
    if (!low || !high || *low < min || *high > max || *low > *high) return std::nullopt;
    ranges.emplace_back(*low, *high);
  }
  return ranges;
}

void CheckBounds(std::string_view text, int min, int max) {
  linger::Result<linger::IntList> first = linger::IntList::Parse(text, min, max, "list");
  linger::Result<linger::IntList> again = linger::IntList::Parse(text, min, max, "list");
  std::optional<Ranges> plain = PlainParse(text, min, max);
  fuzz::Check(
      first.ok() == again.ok() && (first.ok() || first.error().message == again.error().message),
      "'{}' parses differently twice", text);
  fuzz::Check(first.ok() == plain.has_value(), "'{}' in {}-{}: IntList {} it, plain parse {} it",
              text, min, max, first.ok() ? "accepts" : "refuses", plain ? "accepts" : "refuses");
  if (!first.ok()) {
    fuzz::Check(!first.error().message.empty(), "'{}' is refused without a reason", text);
    return;
  }
  for (int value = min - 2; value <= max + 2; ++value) {
    bool expected = false;
    for (auto [low, high] : *plain) expected = expected || (value >= low && value <= high);
    fuzz::Check(first->Contains(value) == expected && again->Contains(value) == expected,
                "'{}' in {}-{}: Contains({}) should be {}", text, min, max, value, expected);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  CheckBounds(text, 100, 599);
  CheckBounds(text, 0, 255);
  return 0;
}
