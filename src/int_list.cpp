#include "int_list.h"

#include <fmt/format.h>

#include <limits>

#include "text.h"

namespace linger {
namespace {

bool ParseInt(std::string_view text, int& value) {
  std::optional<std::uint64_t> parsed = ParseUnsigned(text, std::numeric_limits<int>::max());
  if (parsed) value = static_cast<int>(*parsed);
  return parsed.has_value();
}

}  // namespace

Result<IntList> IntList::Parse(std::string_view text, int min, int max, std::string_view what) {
  auto invalid = [&](std::string_view why) {
    return Error::Invalid(fmt::format("invalid {} '{}': {}", what, Printable(text), why));
  };
  IntList list;
  for (std::string_view item : Split(text)) {
    size_t dash = item.find('-');
    int low = 0;
    int high = 0;
    if (!ParseInt(item.substr(0, dash), low) ||
        (dash != std::string_view::npos && !ParseInt(item.substr(dash + 1), high))) {
      return invalid(item.empty() ? "empty item"
                                  : fmt::format("'{}' is not a number or range", Printable(item)));
    }
    if (dash == std::string_view::npos) high = low;
    if (low < min || high > max) return invalid(fmt::format("values must lie in {}-{}", min, max));
    if (low > high) return invalid(fmt::format("range '{}' runs backwards", Printable(item)));
    list.ranges_.emplace_back(low, high);
  }
  return list;
}

bool IntList::Contains(int value) const {
  for (auto [low, high] : ranges_) {
    if (value >= low && value <= high) return true;
  }
  return false;
}

}  // namespace linger
