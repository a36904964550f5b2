// Lists of integers and ranges, as in "--status 200-299,404" and "--success-exit 143,130". Pure.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "result.h"

namespace linger {

// A set of integers written as comma-separated values and inclusive ranges.
class IntList {
 public:
  // Parses "200", "200-299,404", ... Every value must lie in [min, max]; a range must not run
  // backwards. `what` names the list in errors ("status list").
  static Result<IntList> Parse(std::string_view text, int min, int max, std::string_view what);

  // An empty list.
  IntList() = default;
  // The list of these inclusive ranges.
  explicit IntList(std::vector<std::pair<int, int>> ranges) : ranges_(std::move(ranges)) {}

  // True when `value` is in one of the ranges.
  bool Contains(int value) const;
  // The inclusive ranges, in the order written.
  const std::vector<std::pair<int, int>>& ranges() const { return ranges_; }

 private:
  std::vector<std::pair<int, int>> ranges_;
};

}  // namespace linger
