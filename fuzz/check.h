// What the fuzz targets share: a failed invariant is reported like a crash, so libFuzzer keeps the
// input that broke it.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace fuzz {

// The fuzzer's bytes as text; the parsers take any bytes, NUL included.
inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Prints what broke and aborts; libFuzzer saves the input as a crash.
template <typename... Args>
void Check(bool ok, fmt::format_string<Args...> format, Args&&... args) {
  if (ok) return;
  fmt::print(stderr, "invariant broken: {}\n", fmt::format(format, std::forward<Args>(args)...));
  std::abort();
}

}  // namespace fuzz
