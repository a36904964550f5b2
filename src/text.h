// Small text helpers that the parsers share, each defined once. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linger {

// '0' to '9' only, whatever the locale.
constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True when `text` has digits only (an empty text has none that are not).
bool AllDigits(std::string_view text);

// A DNS name without its final dot: "example.com." and "example.com" name the same host.
std::string_view WithoutFinalDot(std::string_view name);

// ASCII letters compared without case on both sides; other bytes must be equal.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// True when `text` begins with `prefix`, ASCII letters compared without case.
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);

// A whole decimal number of digits only (no sign, no space) that is at most `max`; nothing
// otherwise.
std::optional<std::uint64_t> ParseUnsigned(std::string_view text, std::uint64_t max);

// The items of a list separated by `separator`, empty items included ("a,,b" has three).
std::vector<std::string_view> Split(std::string_view text, char separator = ',');

// `text` made safe to echo in a one-line message: control bytes and bytes that are not valid
// UTF-8 are written as escapes (\n, \t, \x1b), printable UTF-8 is kept whole, and the result is
// cut after `max` bytes of input, at a character boundary, with "...".
std::string Printable(std::string_view text, size_t max = 200);

}  // namespace linger
