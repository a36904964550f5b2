#include "cli.h"

#include <string>
#include <vector>

#include "catch.h"

using linger::OptionOrder;
using linger::OptionSpec;
using linger::ParseArgs;

namespace {

constexpr OptionSpec kSpecs[] = {{"timeout", true}, {"header", true}, {"group", false}};

// Owns the words so that tests can write them as literals.
struct Words {
  explicit Words(std::vector<std::string> w) : words(std::move(w)) {
    for (std::string& s : words) pointers.push_back(s.data());
  }
  std::vector<std::string> words;
  std::vector<char*> pointers;
};

auto Parse(std::vector<std::string> words, OptionOrder order = OptionOrder::kInterleaved) {
  Words w(std::move(words));
  auto result = ParseArgs(w.pointers, kSpecs, order);
  // The parse refers into the words; copy out what tests look at.
  struct Flat {
    bool ok, help, quiet;
    std::string error, log;
    std::vector<std::pair<std::string, std::string>> options;
    std::vector<std::string> positionals, command;
  } flat{result.ok(), false, false, result.error(), "", {}, {}, {}};
  if (result.ok()) {
    flat.help = result->help;
    flat.quiet = result->quiet;
    flat.log = result->log;
    for (auto& o : result->options) flat.options.emplace_back(o.name, o.value);
    for (auto& p : result->positionals) flat.positionals.emplace_back(p);
    for (char* c : result->command) {
      if (c != nullptr) flat.command.emplace_back(c);
    }
    if (!result->command.empty()) CHECK(result->command.back() == nullptr);
  }
  return flat;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("options take a separate or an attached value") {
  auto p = Parse({"--timeout", "5s", "--header=X-A: b", "--group", "URL"});
  REQUIRE(p.ok);
  CHECK(p.options == Pairs{{"timeout", "5s"}, {"header", "X-A: b"}, {"group", ""}});
  CHECK(p.positionals == Strings{"URL"});
  CHECK(p.command.empty());
}

TEST_CASE("interleaved options may follow the positional, and -- starts COMMAND") {
  auto p = Parse({"URL", "--timeout=1", "--", "/app", "--timeout", "9"});
  REQUIRE(p.ok);
  CHECK(p.positionals == Strings{"URL"});
  CHECK(p.options == Pairs{{"timeout", "1"}});
  CHECK(p.command == Strings{"/app", "--timeout", "9"});
}

TEST_CASE("the first non-option starts COMMAND so its own flags are left alone") {
  auto p = Parse({"--group", "/app", "--port", "80", "--", "x"}, OptionOrder::kUntilCommand);
  REQUIRE(p.ok);
  CHECK(p.options == Pairs{{"group", ""}});
  CHECK(p.command == Strings{"/app", "--port", "80", "--", "x"});
  auto dashes = Parse({"--", "-weird", "-c"}, OptionOrder::kUntilCommand);
  REQUIRE(dashes.ok);
  CHECK(dashes.command == Strings{"-weird", "-c"});
}

TEST_CASE("quiet, log and help options are accepted by every command") {
  auto p = Parse({"--quiet", "--log", "/proc/1/fd/2", "x"});
  REQUIRE(p.ok);
  CHECK(p.quiet);
  CHECK(p.log == "/proc/1/fd/2");
  CHECK(p.options.empty());
  CHECK(Parse({"--log=/tmp/l"}).log == "/tmp/l");
  CHECK(Parse({"x", "--help"}).help);
  CHECK(Parse({"-h"}).help);
  CHECK(Parse({"-h", "--bogus"}).help);
}

TEST_CASE("a negative number is a value, not an option") {
  auto p = Parse({"-5s"});
  REQUIRE(p.ok);
  CHECK(p.positionals == Strings{"-5s"});
  CHECK(Parse({"-"}).positionals == Strings{"-"});
}

TEST_CASE("usage errors name the offending word") {
  CHECK(Parse({"--bogus"}).error == "unknown option '--bogus'");
  CHECK(Parse({"--timout", "1"}).error == "unknown option '--timout' (did you mean '--timeout'?)");
  CHECK(Parse({"--quite"}).error == "unknown option '--quite' (did you mean '--quiet'?)");
  CHECK(Parse({"-x"}).error == "unknown option '-x'");
  CHECK(Parse({"--timeout"}).error == "option '--timeout' needs a value");
  CHECK(Parse({"--group=yes"}).error == "option '--group' takes no value");
  CHECK(Parse({"--log"}).error == "option '--log' needs a value");
  CHECK_FALSE(Parse({"--bogus"}, OptionOrder::kUntilCommand).ok);
}

TEST_CASE("an empty -- or none at all leaves COMMAND absent") {
  CHECK(Parse({"x", "--"}).command.empty());
  CHECK(Parse({}, OptionOrder::kUntilCommand).command.empty());
}

TEST_CASE("near names are suggested, far ones are not") {
  const std::string_view names[] = {"sleep", "wait-http", "exec-with-delay", "install"};
  CHECK(linger::ClosestMatch("slep", names) == "sleep");
  CHECK(linger::ClosestMatch("wait-htp", names) == "wait-http");
  CHECK(linger::ClosestMatch("exec", names).empty());
  CHECK(linger::ClosestMatch("x", names).empty());
}
