#include "cli.h"

#include <string>
#include <vector>

#include "catch.h"

using linger::OptionDoc;
using linger::OptionOrder;
using linger::ParseArgs;

namespace {

constexpr OptionDoc kDocs[] = {{"timeout", "D", nullptr, "give up"},
                               {"header", "H", nullptr, "add a header"},
                               {"group", "", nullptr, "signal the group"}};

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
  auto result = ParseArgs(w.pointers, kDocs, order);
  // The parse refers into the words; copy out what tests look at.
  struct Flat {
    bool ok, help, quiet;
    std::string error, log;
    std::vector<std::pair<std::string, std::string>> options;
    std::vector<std::string> positionals, command;
  } flat{result.ok(), false, false, result.ok() ? "" : result.error().message, "", {}, {}, {}};
  if (result.ok()) {
    flat.help = result->help;
    flat.quiet = result->quiet;
    flat.log = result->log;
    for (auto [row, value] : result->options) flat.options.emplace_back(kDocs[row].name, value);
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

TEST_CASE("usage errors are usage errors, which exit with status 2") {
  Words w({"--bogus"});
  auto result = ParseArgs(w.pointers, kDocs, OptionOrder::kInterleaved);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == linger::ErrorKind::kUsage);
}

TEST_CASE("the operand and COMMAND a command takes are checked") {
  using linger::CheckOperands;
  using linger::CommandArg;
  using linger::CommandDoc;
  const CommandDoc sleep{
      "sleep", "", "", "", OptionOrder::kInterleaved, "DURATION", CommandArg::kOptional};
  const CommandDoc install{"install",        "", "", "", OptionOrder::kInterleaved, "DIR",
                           CommandArg::kNone};
  const CommandDoc wrap{"exec-with-delay",    "", "", "", OptionOrder::kUntilCommand, "",
                        CommandArg::kRequired};
  auto check = [](const CommandDoc& command, std::vector<std::string> words) -> std::string {
    Words w(std::move(words));
    auto parsed = ParseArgs(w.pointers, {}, command.order);
    REQUIRE(parsed.ok());
    auto checked = CheckOperands(*parsed, command);
    return checked.ok() ? "" : checked.error().message;
  };
  CHECK(check(sleep, {"5"}).empty());
  CHECK(check(sleep, {"5", "--", "/app"}).empty());
  CHECK(check(sleep, {}) == "missing DURATION (try 'linger sleep --help')");
  CHECK(check(sleep, {"5", "/app"}) == "unexpected argument '/app' (COMMAND goes after '--')");
  CHECK(check(install, {"/a", "/b"}) == "unexpected argument '/b' (install takes one DIR)");
  CHECK(check(install, {"/a", "--", "x"}) == "unexpected COMMAND 'x' (install takes none)");
  CHECK(check(wrap, {}) == "missing COMMAND (try 'linger exec-with-delay --help')");
  CHECK(check(wrap, {"/app", "-x"}).empty());
  const CommandDoc wait{
      "wait", "", "", "", OptionOrder::kInterleaved, "TARGET", CommandArg::kOptional, true};
  CHECK(check(wait, {"tcp://a:1", "dns://b", "--", "/app"}).empty());
  CHECK(check(wait, {"--", "/app"}) == "missing TARGET (try 'linger wait --help')");
}

TEST_CASE("help lists every option of the table, its variable, and the common ones") {
  const OptionDoc docs[] = {{"delay", "D", "LINGER_DELAY", "how long\nsecond line"},
                            {"a-very-long-option-name", "VALUE", nullptr, "long"}};
  const linger::CommandDoc doc{"exec-with-delay",
                               "[OPTIONS] COMMAND",
                               "About.\n",
                               "Footer.\n",
                               OptionOrder::kUntilCommand,
                               "",
                               linger::CommandArg::kRequired};
  std::string help = linger::FormatHelp(doc, docs);
  CHECK(help.starts_with("Usage: linger exec-with-delay [OPTIONS] COMMAND\n\nAbout.\n"));
  CHECK(help.find("  --delay D             how long\n") != std::string::npos);
  CHECK(help.find("\n                        second line\n") != std::string::npos);
  CHECK(help.find("[LINGER_DELAY]") != std::string::npos);
  CHECK(help.find("  --a-very-long-option-name VALUE\n                        long\n") !=
        std::string::npos);
  for (std::string_view common : {"--quiet", "--log PATH", "--help"}) {
    CHECK(help.find(common) != std::string::npos);
  }
  CHECK(help.ends_with("\nFooter.\n"));
}

TEST_CASE("the did-you-mean search skips words far longer than any name") {
  const std::string_view names[] = {"sleep", "install"};
  CHECK(linger::ClosestMatch(std::string(60'000, 's'), names).empty());
  CHECK(linger::ClosestMatch("instal", names) == "install");
}
