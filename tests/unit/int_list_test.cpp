#include "int_list.h"

#include "catch.h"

using linger::IntList;

TEST_CASE("integer lists hold values and inclusive ranges") {
  auto list = IntList::Parse("200-299,404", 100, 599, "status list");
  REQUIRE(list.ok());
  for (int in : {200, 250, 299, 404}) CHECK(list->Contains(in));
  for (int out : {199, 300, 403, 405, 100, 599}) CHECK_FALSE(list->Contains(out));
  auto one = IntList::Parse("143", 0, 255, "exit status list");
  REQUIRE(one.ok());
  CHECK(one->Contains(143));
  CHECK_FALSE(one->Contains(142));
  CHECK(IntList::Parse("0-255", 0, 255, "x")->Contains(0));
}

TEST_CASE("bad integer lists are refused with a message naming them") {
  const char* cases[] = {
      "",     "200,", ",200",    "200,,404", "abc",         "2oo",
      "200-", "-200", "299-200", "99",       "600",         "200-600",
      "200 ", " 200", "+200",    "1e2",      "200-299-300", "99999999999999999999"};
  for (const char* text : cases) {
    INFO(text);
    auto list = IntList::Parse(text, 100, 599, "status list");
    REQUIRE_FALSE(list.ok());
    CHECK(list.error().message.rfind(std::string("invalid status list '") + text + "'", 0) == 0);
  }
}
