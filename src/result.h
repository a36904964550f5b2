// A value or the one-line reason there is none: errors are values, not exceptions.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace linger {

// The reason an operation failed, worded to follow "linger: ".
struct Error {
  std::string message;
};

// Holds either a T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}              // NOLINT(google-explicit-constructor)
  Result(Error error) : error_(std::move(error.message)) {}  // NOLINT(google-explicit-constructor)

  // True when a value is held.
  bool ok() const { return value_.has_value(); }
  // The value; only valid when ok().
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return &*value_; }
  // The reason; empty when ok().
  const std::string& error() const { return error_; }

 private:
  std::optional<T> value_;
  std::string error_;
};

}  // namespace linger
