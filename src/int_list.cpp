#include "int_list.h"

#include <fmt/format.h>

#include <charconv>

namespace linger {
namespace {

bool ParseInt(std::string_view text, int& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && text.front() != '-' && ec == std::errc() &&
         end == text.data() + text.size();
}

}  // namespace

Result<IntList> IntList::Parse(std::string_view text, int min, int max, std::string_view what) {
  auto invalid = [&](std::string_view why) {
    return Error{fmt::format("invalid {} '{}': {}", what, text, why)};
  };
  IntList list;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma - start);
    size_t dash = item.find('-');
    int low = 0;
    int high = 0;
    if (!ParseInt(item.substr(0, dash), low) ||
        (dash != std::string_view::npos && !ParseInt(item.substr(dash + 1), high))) {
      return invalid(item.empty() ? "empty item"
                                  : fmt::format("'{}' is not a number or range", item));
    }
    if (dash == std::string_view::npos) high = low;
    if (low < min || high > max) return invalid(fmt::format("values must lie in {}-{}", min, max));
    if (low > high) return invalid(fmt::format("range '{}' runs backwards", item));
    list.ranges_.emplace_back(low, high);
    if (comma == std::string_view::npos) return list;
    start = comma + 1;
  }
}

bool IntList::Contains(int value) const {
  for (auto [low, high] : ranges_) {
    if (value >= low && value <= high) return true;
  }
  return false;
}

}  // namespace linger
