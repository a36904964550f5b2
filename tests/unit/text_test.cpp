#include "text.h"

#include <string>
#include <vector>

#include "catch.h"

using namespace linger;

TEST_CASE("digits are ASCII digits only, and a text of them is all digits") {
  for (char c : std::string("0123456789")) CHECK(IsDigit(c));
  for (char c : std::string("a/:\xd9 \xb2")) CHECK_FALSE(IsDigit(c));
  CHECK(AllDigits("20261207"));
  CHECK(AllDigits(""));
  CHECK_FALSE(AllDigits("12a4"));
  CHECK_FALSE(AllDigits("-1"));
}

TEST_CASE("a final dot is dropped from a name, once") {
  CHECK(WithoutFinalDot("example.com.") == "example.com");
  CHECK(WithoutFinalDot("example.com") == "example.com");
  CHECK(WithoutFinalDot("a..") == "a.");
  CHECK(WithoutFinalDot(".") == "");
  CHECK(WithoutFinalDot("") == "");
}

TEST_CASE("letters compare without case, other bytes exactly") {
  CHECK(EqualsIgnoreCase("Content-Length", "content-LENGTH"));
  CHECK_FALSE(EqualsIgnoreCase("Content-Length", "Content-Lengt"));
  CHECK_FALSE(EqualsIgnoreCase("a[", "A{"));
  CHECK(StartsWithIgnoreCase("Transfer-Encoding: chunked", "transfer-encoding:"));
  CHECK_FALSE(StartsWithIgnoreCase("Trans", "transfer"));
}

TEST_CASE("unsigned numbers are digits only, up to a maximum") {
  CHECK(ParseUnsigned("0", 10) == 0u);
  CHECK(ParseUnsigned("0065535", 65535) == 65535u);
  CHECK(ParseUnsigned("18446744073709551615", UINT64_MAX) == UINT64_MAX);
  for (const char* bad : {"", "65536", "+1", "-1", " 1", "1 ", "1e3", "0x10",
                          "18446744073709551616", "99999999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(ParseUnsigned(bad, 65535).has_value());
  }
}

TEST_CASE("a list splits at every separator, empty items kept") {
  CHECK(Split("a,,b") == std::vector<std::string_view>{"a", "", "b"});
  CHECK(Split("") == std::vector<std::string_view>{""});
  CHECK(Split("x y", ' ') == std::vector<std::string_view>{"x", "y"});
}

TEST_CASE("echoed text is one printable line, cut at a character boundary") {
  CHECK(Printable("plain µs") == "plain µs");
  CHECK(Printable("a\nb\tc\x1b[31m") == "a\\nb\\tc\\x1b[31m");
  CHECK(Printable("\xff\xc3") == "\\xff\\xc3");
  CHECK(Printable("µµµ", 4) == "µµ...");
  CHECK(Printable("abc", 3) == "abc");
}
