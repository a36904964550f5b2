// linger wait-http: waits for an HTTP endpoint (initContainers, preStop drains), then exits or
// execs COMMAND.
#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <vector>

#include "cli.h"
#include "command_line.h"
#include "commands.h"
#include "duration.h"
#include "log.h"
#include "net/attempts.h"
#include "net/http.h"
#include "net/tls.h"
#include "net/url.h"
#include "text.h"
#include "wait_option_rows.h"
#include "wait_targets.h"

namespace linger {
namespace {

constexpr CommandDoc kWaitHttp = {
    .name = "wait-http",
    .synopsis = "[OPTIONS] URL... [-- COMMAND [ARG...]]",
    .about = R"(Poll URL (http:// or https://HOST[:PORT][/PATH][?QUERY]) until one attempt
succeeds, then exit 0, or replace linger with COMMAND (same pid, environment
and inherited signal state). Gives up with status 1 after --timeout.

HOST is a name, an IPv4 address or [IPv6]. A name is resolved again on every
attempt, through /etc/hosts, then DNS as /etc/resolv.conf says (also in an
empty root filesystem); every address is tried in turn. Resolving, too, is
bounded by --request-timeout and the overall deadline: nothing blocks past
them.

https: TLS 1.2 (ECDHE with AES-GCM), SNI for names. The server's certificate
chain is verified against --cacert FILE, else the file $SSL_CERT_FILE names,
else /etc/ssl/certs/ca-certificates.crt, read again on every attempt; its
name must match HOST (DNS names, one-label wildcards; IP addresses against IP
SANs). An image without CA certificates needs --cacert or --insecure.

Several URLs are waited for at the same time, each on its own schedule,
until every one has been ready once (see 'linger wait').
)",
    .footer = R"(Durations: 20 (seconds), 1.5, 500ms, 20s, 1m30s, 2h.
Exit status: 0 ready, 1 timed out, 2 usage error, 128+N stopped by signal N
(SIGTERM, SIGINT, SIGHUP); with COMMAND, 126/127 when it cannot run.

Examples (initContainer waiting for a dependency):
  command: ["/linger", "wait-http", "--timeout", "5m", "http://db:8080/ready"]
  command: ["/linger", "wait-http", "--cacert", "/etc/vault-ca/ca.crt",
            "https://vault:8200/v1/sys/health"]
)",
    .order = OptionOrder::kInterleaved,
    .operand = "URL",
    .command = CommandArg::kOptional,
    .operand_repeats = true,
};

constexpr CommandDoc kWait = {
    .name = "wait",
    .synopsis = "[OPTIONS] TARGET... [-- COMMAND [ARG...]]",
    .about = R"(Wait for every TARGET at the same time, then exit 0, or replace linger with
COMMAND (same pid, environment and inherited signal state). A TARGET is
  http://... or https://...  ready as for wait-http
  tcp://HOST:PORT            ready once a connection succeeds, as wait-tcp
  dns://NAME                 ready once NAME resolves to an address (A or
                             AAAA), through /etc/hosts, then DNS
Each target is tried on its own schedule (its own --interval after its own
failed attempt): one whose attempt hangs never delays another. A target that
was ready once is done. --timeout bounds the whole wait; giving up (status 1)
names every target still not ready with its last reason.

Options apply to the targets they fit: --status, --method, --header,
--body-contains to http(s) targets, --cacert and --insecure to https; one
that fits none of the targets is a usage error.
)",
    .footer = R"(Durations: 20 (seconds), 1.5, 500ms, 20s, 1m30s, 2h.
Exit status: 0 all ready, 1 timed out, 2 usage error, 128+N stopped by
signal N (SIGTERM, SIGINT, SIGHUP); with COMMAND, 126/127 when it cannot run.

Example (one initContainer for all of a pod's dependencies):
  command: ["/linger", "wait", "--timeout", "5m", "tcp://postgres:5432",
            "http://auth:8080/ready", "dns://cache.default.svc"]
)",
    .order = OptionOrder::kInterleaved,
    .operand = "TARGET",
    .command = CommandArg::kOptional,
    .operand_repeats = true,
};

// The command line, checked: usage errors surface before anything starts.
struct WaitHttpOptions {
  WaitTiming timing;
  IntList statuses = *IntList::Parse("200-399", 100, 599, "status list");
  std::string method = "GET";
  std::vector<HttpHeader> headers;
  std::string body_contains;
  std::string cacert;
  bool insecure = false;
};

constexpr auto kOwnRows = std::to_array<OptionRow<WaitHttpOptions>>({
    {{"status", "LIST", nullptr,
      "accepted status codes (default 200-399, as Kubernetes\nhttpGet probes): 200, 200-299,404"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       Result<IntList> statuses = IntList::Parse(value, 100, 599, "status list");
       if (!statuses.ok()) return statuses.error();
       options.statuses = *statuses;
       return {};
     }},
    {{"method", "M", nullptr, "request method (default GET)"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       if (!IsValidMethod(value))
         return Error::Invalid(fmt::format("invalid method '{}'", Printable(value)));
       options.method = value;
       return {};
     }},
    {{"header", "'N: V'", nullptr,
      "extra request header, repeatable; may replace Host or\nUser-Agent"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       Result<HttpHeader> header = ParseHeaderOption(value);
       if (!header.ok()) return header.error();
       options.headers.push_back(*header);
       return {};
     }},
    {{"body-contains", "TEXT", nullptr, "also require TEXT in the first 1 MiB of the body"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       options.body_contains = value;
       return {};
     }},
    {{"cacert", "FILE", nullptr,
      "PEM file of the certificate authorities to trust for\nhttps (e.g. a Secret's ca.crt "
      "mounted as a file)"},
     [](WaitHttpOptions& options, std::string_view value) -> Result<void> {
       if (value.empty()) return Error::Invalid("needs a FILE");
       options.cacert = value;
       return {};
     }},
    {{"insecure", "", nullptr,
      "https without verifying the server's certificate\n(a warning says so)"},
     [](WaitHttpOptions& options, std::string_view) -> Result<void> {
       options.insecure = true;
       return {};
     }},
});

constexpr auto kTimingRows = WaitTimingRows<WaitHttpOptions>(
    "limit for one attempt: resolve, connect, TLS\nhandshake, send, "
    "read (default 5s; never past\n--timeout; 0: no own limit)");
constexpr auto kOptions = JoinRows(kTimingRows, kOwnRows);

// The target that polls `url`; `name` is the target as written.
WaitTarget HttpTarget(std::string_view name, const Url& url, const WaitHttpOptions& options) {
  const char* ssl_cert_file = std::getenv("SSL_CERT_FILE");
  std::optional<std::string_view> env_file;
  if (ssl_cert_file != nullptr) env_file = ssl_cert_file;
  Probe probe{
      .url = url,
      .request = BuildRequest(options.method, url, options.headers),
      .head_request = options.method == "HEAD",
      .statuses = options.statuses,
      .body_contains = options.body_contains,
      .tls = {.trust = ChooseTrustStore(options.cacert, env_file), .insecure = options.insecure}};
  return {Printable(name),
          [probe = std::move(probe)](Resolver& resolver, auto deadline, int stop_fd) {
            return RunAttempt(probe, resolver, deadline, stop_fd);
          }};
}

// The target of dns://NAME.
Result<WaitTarget> DnsTarget(std::string_view name, std::string_view host) {
  Result<Endpoint> endpoint = ParseHostPort(host, 0);
  if (!endpoint.ok() || endpoint->port_given) {
    return Error::Invalid(fmt::format("invalid name '{}': {}", Printable(name),
                                      endpoint.ok() ? "no port here" : endpoint.error().message));
  }
  return WaitTarget{Printable(name),
                    [host = endpoint->host](Resolver& resolver, auto deadline, int stop_fd) {
                      return RunResolveAttempt(host, resolver, deadline, stop_fd);
                    }};
}

// A target of wait, by its scheme, or (`schemes` false) wait-http's URL; notes in `http` and
// `https` that there are such.
Result<WaitTarget> ParseTarget(std::string_view text, const WaitHttpOptions& options, bool schemes,
                               bool& http, bool& https) {
  if (schemes && StartsWithIgnoreCase(text, "tcp://")) return TcpTarget(text, text.substr(6));
  if (schemes && StartsWithIgnoreCase(text, "dns://")) return DnsTarget(text, text.substr(6));
  if (schemes && !StartsWithIgnoreCase(text, "http://") &&
      !StartsWithIgnoreCase(text, "https://")) {
    return Error::Invalid(fmt::format(
        "unknown target '{}' (http://, https://, tcp://HOST:PORT or dns://NAME)", Printable(text)));
  }
  Result<Url> url = ParseUrl(text);
  if (!url.ok()) return url.error();
  http = true;
  https = https || url->tls;
  return HttpTarget(text, *url, options);
}

// wait-http and wait: one body, as wait's targets are wait-http's URLs and more.
int RunTargets(const CommandDoc& command, std::span<char* const> args) {
  const bool schemes = command.name == kWait.name;
  Invocation invocation = StartCommand<WaitHttpOptions>(command, kOptions, args);
  if (!invocation.args) return invocation.exit_status;
  const ParsedArgs& parsed = *invocation.args;
  const WaitHttpOptions& options = invocation.options;
  std::vector<WaitTarget> targets;
  bool any_http = false;
  bool any_https = false;
  for (std::string_view text : parsed.positionals) {
    Result<WaitTarget> target = ParseTarget(text, options, schemes, any_http, any_https);
    if (!target.ok()) return Fail(Error::Usage(target.error().message));
    targets.push_back(std::move(*target));
  }
  // The timing rows fit every target; the others are http(s)'s, and these two https's alone.
  for (auto [row, value] : parsed.options) {
    std::string_view name = kOptions[row].doc.name;
    bool https_only = name == "cacert" || name == "insecure";
    if (schemes && row >= kTimingRows.size() && (https_only ? !any_https : !any_http)) {
      return Fail(Error::Usage(fmt::format("--{} applies only to {} targets", name,
                                           https_only ? "https://" : "http:// and https://")));
    }
  }
  if (any_https && options.insecure) {
    LogWarn("--insecure: the server's certificate and name are not verified");
  }
  return RunWaitTargets(targets, options.timing, parsed.command);
}

}  // namespace

int RunWaitHttp(std::span<char* const> args) { return RunTargets(kWaitHttp, args); }

int RunWait(std::span<char* const> args) { return RunTargets(kWait, args); }

}  // namespace linger
