#include "net/tls.h"

#include <bearssl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "file.h"
#include "net/x509.h"
#include "socket_headers.h"
#include "text.h"

// TCP_NODELAY. Only after socket_headers.h, as it includes <sys/socket.h>.
#include <netinet/tcp.h>

namespace linger {
namespace {

// What the client offers: TLS 1.2 with forward-secret AES-GCM suites, which every TLS 1.2 server
// has (Mozilla's "intermediate" list without ChaCha20, and without DHE, which BearSSL lacks).
// ChaCha20-Poly1305 (7 KB), CBC, RSA key exchange, 3DES and TLS 1.0/1.1 (20 KB) are left out:
// wait-http exchanges a few hundred bytes, and servers that need the others are rare and unsafe.
constexpr std::uint16_t kSuites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

// The hash functions for handshake signatures and certificate signatures alike. SHA-1 is gone
// from both in TLS 1.2 practice (RFC 9155).
const br_hash_class* const kHashes[] = {&br_sha256_vtable, &br_sha384_vtable, &br_sha512_vtable};

// A CA bundle is about 200 KB; anything much bigger is not one.
constexpr size_t kMaxPemBytes = 4 * 1024 * 1024;
// The certificates of a server's chain are kept whole until the chain is put in order. Real ones
// are 1 to 10 KB, and those with hundreds of names (shared CDN certificates) about 40 KB; a TLS
// message could carry 16 MiB of them, so a server's chain is bounded: a certificate over 256 KiB
// or a chain of more than 16 certificates is refused, which costs at most 4 MiB for a moment.
constexpr size_t kMaxCertificateBytes = 256 * 1024;
constexpr size_t kMaxChainCertificates = 16;

// The trusted authorities of one PEM file, in the form BearSSL's X.509 engine reads: the anchors
// point into `bytes_`, so the object is built whole and never copied.
class TrustAnchors {
 public:
  TrustAnchors() = default;
  TrustAnchors(const TrustAnchors&) = delete;
  TrustAnchors& operator=(const TrustAnchors&) = delete;

  // Reads every certificate of `pem` whose key BearSSL can use (RSA, EC); others are skipped, and
  // so is a block that is not valid PEM (malformed_blocks() counts those).
  void Load(std::string_view pem) {
    br_pem_decoder_context decoder;
    br_pem_decoder_init(&decoder);
    std::string der;
    br_pem_decoder_setdest(&decoder, AppendTo, &der);
    bool certificate = false;
    size_t line = 1, block_line = 0;
    // The decoder needs a line end after the last "-----END" line, which a file may lack.
    std::string_view parts[] = {pem, "\n"};
    for (std::string_view text : parts) {
      while (!text.empty()) {
        size_t taken = br_pem_decoder_push(&decoder, text.data(), text.size());
        line += static_cast<size_t>(std::count(text.begin(), text.begin() + taken, '\n'));
        text.remove_prefix(taken);
        int event = br_pem_decoder_event(&decoder);
        switch (event) {
          case BR_PEM_BEGIN_OBJ: {
            std::string_view name = br_pem_decoder_name(&decoder);
            certificate = name == "CERTIFICATE" || name == "X509 CERTIFICATE";
            der.clear();
            // The "-----BEGIN" line has just been read.
            block_line = line - 1;
            break;
          }
          case BR_PEM_END_OBJ:
            if (!certificate || Add(der)) break;
            [[fallthrough]];
          case BR_PEM_ERROR:
            if (malformed_blocks_++ == 0) first_malformed_line_ = block_line;
            // The decoder has left the block at a line start, but keeps base64 bits of it that
            // would garble the next block: it starts afresh.
            if (event == BR_PEM_ERROR) {
              br_pem_decoder_init(&decoder);
              br_pem_decoder_setdest(&decoder, AppendTo, &der);
            }
            break;
          default:
            break;
        }
      }
    }
    // Only now do the addresses in `bytes_` stay put.
    for (Entry& entry : entries_) {
      auto at = [&](size_t offset) { return reinterpret_cast<unsigned char*>(&bytes_[offset]); };
      entry.anchor.dn.data = at(entry.dn);
      if (entry.anchor.pkey.key_type == BR_KEYTYPE_RSA) {
        entry.anchor.pkey.key.rsa.n = at(entry.key1);
        entry.anchor.pkey.key.rsa.e = at(entry.key2);
      } else {
        entry.anchor.pkey.key.ec.q = at(entry.key1);
      }
      anchors_.push_back(entry.anchor);
    }
  }

  const br_x509_trust_anchor* data() const { return anchors_.data(); }
  size_t size() const { return anchors_.size(); }
  size_t malformed_blocks() const { return malformed_blocks_; }
  size_t first_malformed_line() const { return first_malformed_line_; }

  // True when `name` (a DER Name) is the subject of a trusted certificate.
  bool HasSubject(std::string_view name) const {
    return std::any_of(anchors_.begin(), anchors_.end(), [&](const br_x509_trust_anchor& anchor) {
      return name == std::string_view(reinterpret_cast<const char*>(anchor.dn.data), anchor.dn.len);
    });
  }

 private:
  // An anchor whose pointers are still offsets into `bytes_`.
  struct Entry {
    br_x509_trust_anchor anchor;
    size_t dn, key1, key2;
  };

  static void AppendTo(void* string, const void* data, size_t length) {
    static_cast<std::string*>(string)->append(static_cast<const char*>(data), length);
  }

  size_t Keep(const unsigned char* data, size_t length) {
    size_t offset = bytes_.size();
    bytes_.append(reinterpret_cast<const char*>(data), length);
    return offset;
  }

  // Keeps the certificate `der` as an anchor. False when it is malformed; a certificate with a key
  // BearSSL cannot use (neither RSA nor EC) is skipped.
  bool Add(const std::string& der) {
    br_x509_decoder_context decoder;
    std::string dn;
    br_x509_decoder_init(&decoder, AppendTo, &dn);
    br_x509_decoder_push(&decoder, der.data(), der.size());
    const br_x509_pkey* key = br_x509_decoder_get_pkey(&decoder);
    if (key == nullptr) return br_x509_decoder_last_error(&decoder) == BR_ERR_X509_UNSUPPORTED;
    Entry entry{};
    entry.anchor.dn.len = dn.size();
    entry.dn = Keep(reinterpret_cast<const unsigned char*>(dn.data()), dn.size());
    // A CA signs other certificates; a non-CA anchor is trusted as the server's own key (a pinned
    // self-signed certificate).
    entry.anchor.flags = br_x509_decoder_isCA(&decoder) ? BR_X509_TA_CA : 0;
    entry.anchor.pkey = *key;
    if (key->key_type == BR_KEYTYPE_RSA) {
      entry.key1 = Keep(key->key.rsa.n, key->key.rsa.nlen);
      entry.key2 = Keep(key->key.rsa.e, key->key.rsa.elen);
    } else {
      entry.key1 = Keep(key->key.ec.q, key->key.ec.qlen);
    }
    entries_.push_back(entry);
    return true;
  }

  std::string bytes_;
  std::vector<Entry> entries_;
  std::vector<br_x509_trust_anchor> anchors_;
  size_t malformed_blocks_ = 0;
  size_t first_malformed_line_ = 0;
};

// The TLS alert names of RFC 8446 6 and RFC 5246 7.2 that a server may send a client.
std::string_view AlertName(int alert) {
  switch (alert) {
    case 0:
      return "close_notify";
    case 10:
      return "unexpected_message";
    case 20:
      return "bad_record_mac";
    case 22:
      return "record_overflow";
    case 40:
      return "handshake_failure";
    case 42:
      return "bad_certificate";
    case 43:
      return "unsupported_certificate";
    case 44:
      return "certificate_revoked";
    case 45:
      return "certificate_expired";
    case 46:
      return "certificate_unknown";
    case 47:
      return "illegal_parameter";
    case 48:
      return "unknown_ca";
    case 49:
      return "access_denied";
    case 50:
      return "decode_error";
    case 51:
      return "decrypt_error";
    case 70:
      return "protocol_version";
    case 71:
      return "insufficient_security";
    case 80:
      return "internal_error";
    case 86:
      return "inappropriate_fallback";
    case 90:
      return "user_canceled";
    case 109:
      return "missing_extension";
    case 110:
      return "unsupported_extension";
    case 112:
      return "unrecognized_name";
    case 116:
      return "certificate_required";
    case 120:
      return "no_application_protocol";
    default:
      return "unknown";
  }
}

// "YYYYMMDDHHMMSS" of now, UTC, as certificates' validity is compared.
std::string UtcNow() {
  using namespace std::chrono;
  auto now = floor<seconds>(system_clock::now());
  auto day = floor<days>(now);
  year_month_day date(day);
  hh_mm_ss time(now - day);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

class TlsStream;

// BearSSL's X.509 engine interface, implemented by TlsStream: the first member is the vtable
// pointer BearSSL calls through, so a pointer to it is a pointer to this struct.
struct X509Hook {
  const br_x509_class* vtable;
  TlsStream* owner;
};

// One TLS connection: BearSSL's engine and X.509 contexts point at each other and into the trust
// anchors and the I/O buffer, so this lives on the heap and never moves.
class TlsStream final : public Stream {
 public:
  TlsStream(const AttemptContext& ctx, int fd, const std::string& endpoint, const std::string& host,
            const TlsOptions& options)
      : ctx_(ctx), fd_(fd), endpoint_(endpoint), host_(host), options_(options) {}
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Reads the trust store, configures the engine and runs the handshake to its end.
  Result<size_t> Handshake();
  Result<size_t> Send(std::string_view data) override;
  Result<size_t> Receive(std::span<char> buffer) override;

  // The X.509 engine calls, in this order: the server's chain, its own certificate first. They
  // only collect the certificates; EndChain puts them in order and verifies them.
  void StartChain();
  void StartCert(std::uint32_t length);
  void Append(const unsigned char* data, size_t length);
  void EndCert();
  unsigned EndChain();
  const br_x509_pkey* GetPkey(unsigned* usages);

 private:
  // Moves records between the engine and the socket until the engine can take or give
  // application data (`want`: BR_SSL_SENDAPP or BR_SSL_RECVAPP). False when the connection ended.
  Result<bool> Run(unsigned want);
  // Verifies the chain in `chain_` with the X.509 engine, then what the engine does not check:
  // the server's name, its extended key usage and the CAs' name constraints. 0 or a BR_ERR_X509_*
  // code; `problem_` words the failures the code alone cannot.
  unsigned Verify();
  // Why the engine closed, in words.
  std::string Explain(int error);
  std::string Failed(std::string_view why) const {
    return fmt::format("TLS {} {}: {}", handshake_done_ ? "connection to" : "handshake with",
                       endpoint_, why);
  }

  const AttemptContext& ctx_;
  int fd_;
  std::string endpoint_;
  std::string host_;
  const TlsOptions& options_;
  bool handshake_done_ = false;
  TrustAnchors anchors_;
  br_ssl_client_context client_{};
  br_x509_minimal_context minimal_{};
  X509Hook hook_{};
  br_x509_decoder_context leaf_decoder_{};  // with --insecure, for the server's key
  std::vector<std::string> chain_;          // the certificates the server sent, DER, as sent
  bool chain_too_big_ = false;              // one over kMaxCertificateBytes, or too many
  std::string problem_;                     // why EndChain refused the chain, when it knew
  // The header of the server's first record: its version says which TLS the server speaks when
  // it refuses ours with an alert (RFC 5246 6.2.1, E.1).
  std::array<unsigned char, 5> first_header_{};
  size_t first_header_size_ = 0;
  std::array<unsigned char, BR_SSL_BUFSIZE_BIDI> buffer_{};
};

TlsStream& Owner(const br_x509_class* const* ctx) {
  return *reinterpret_cast<const X509Hook*>(ctx)->owner;
}

const br_x509_class kHookClass = {
    sizeof(X509Hook),
    [](const br_x509_class** ctx, const char*) { Owner(ctx).StartChain(); },
    [](const br_x509_class** ctx, std::uint32_t length) { Owner(ctx).StartCert(length); },
    [](const br_x509_class** ctx, const unsigned char* data, size_t length) {
      Owner(ctx).Append(data, length);
    },
    [](const br_x509_class** ctx) { Owner(ctx).EndCert(); },
    [](const br_x509_class** ctx) { return Owner(ctx).EndChain(); },
    [](const br_x509_class* const* ctx, unsigned* usages) { return Owner(ctx).GetPkey(usages); },
};

void TlsStream::StartChain() {
  chain_.clear();
  chain_too_big_ = false;
  problem_.clear();
}

void TlsStream::StartCert(std::uint32_t length) {
  if (chain_.size() == kMaxChainCertificates || length > kMaxCertificateBytes) {
    chain_too_big_ = true;
  }
  if (chain_too_big_) return;
  chain_.emplace_back();
  chain_.back().reserve(length);
}

void TlsStream::Append(const unsigned char* data, size_t length) {
  if (chain_too_big_) return;
  std::string& der = chain_.back();
  // The length announced to StartCert bounds it, but only the bytes count.
  if (der.size() + length > kMaxCertificateBytes) {
    chain_too_big_ = true;
    return;
  }
  der.append(reinterpret_cast<const char*>(data), length);
}

void TlsStream::EndCert() {}

unsigned TlsStream::EndChain() {
  if (chain_too_big_) {
    problem_ = fmt::format(
        "the server's certificate chain is too big (more than {} certificates or one over {} KiB)",
        kMaxChainCertificates, kMaxCertificateBytes / 1024);
    return BR_ERR_X509_LIMIT_EXCEEDED;
  }
  if (chain_.empty()) return BR_ERR_X509_EMPTY_CHAIN;
  if (!options_.insecure) return Verify();
  br_x509_decoder_init(&leaf_decoder_, nullptr, nullptr);
  br_x509_decoder_push(&leaf_decoder_, chain_[0].data(), chain_[0].size());
  if (br_x509_decoder_get_pkey(&leaf_decoder_) != nullptr) return 0;
  int error = br_x509_decoder_last_error(&leaf_decoder_);
  return static_cast<unsigned>(error != 0 ? error : BR_ERR_X509_INVALID_VALUE);
}

unsigned TlsStream::Verify() {
  std::vector<Certificate> parsed;
  for (const std::string& der : chain_) {
    Result<Certificate> certificate = ParseCertificate(der);
    if (!certificate.ok() && parsed.empty()) {
      problem_ = fmt::format("the server's certificate is malformed ({})", certificate.error());
      return BR_ERR_X509_INVALID_VALUE;
    }
    // Another certificate that cannot be read is one that no path goes through.
    parsed.push_back(certificate.ok() ? std::move(*certificate) : Certificate{});
  }
  // Servers send their chain in any order, and sometimes with certificates that do not belong
  // (an old intermediate, a second root): the engine wants the path itself, each certificate
  // followed by its issuer.
  std::vector<size_t> path =
      ChainPath(parsed, [&](std::string_view name) { return anchors_.HasSubject(name); });
  // No name: BearSSL's own check knows neither IP addresses nor the words for a mismatch.
  minimal_.vtable->start_chain(&minimal_.vtable, nullptr);
  for (size_t index : path) {
    const std::string& der = chain_[index];
    minimal_.vtable->start_cert(&minimal_.vtable, static_cast<std::uint32_t>(der.size()));
    minimal_.vtable->append(&minimal_.vtable, reinterpret_cast<const unsigned char*>(der.data()),
                            der.size());
    minimal_.vtable->end_cert(&minimal_.vtable);
  }
  unsigned error = minimal_.vtable->end_chain(&minimal_.vtable);
  if (error != 0) return error;
  const Certificate& leaf = parsed[0];
  if (!CertificateIsFor(leaf, host_)) {
    problem_ = NameMismatch(leaf, host_);
    return BR_ERR_X509_BAD_SERVER_NAME;
  }
  if (!leaf.server_auth) {
    problem_ = "certificate is not for TLS servers (extended key usage)";
    return BR_ERR_X509_FORBIDDEN_KEY_USAGE;
  }
  for (size_t i = 1; i < path.size(); ++i) {
    if (Result<void> allowed = CheckNameConstraints(leaf, parsed[path[i]], host_); !allowed.ok()) {
      problem_ = allowed.error().message;
      return BR_ERR_X509_FORBIDDEN_KEY_USAGE;
    }
  }
  return 0;
}

const br_x509_pkey* TlsStream::GetPkey(unsigned* usages) {
  if (!options_.insecure) return minimal_.vtable->get_pkey(&minimal_.vtable, usages);
  if (usages != nullptr) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
  return br_x509_decoder_get_pkey(&leaf_decoder_);
}

Result<size_t> TlsStream::Handshake() {
  const TrustStore& trust = options_.trust;
  if (!options_.insecure) {
    std::string what = trust.origin.empty() ? trust.path : trust.origin + " " + trust.path;
    Result<FileHead> pem = ReadFileHead(trust.path.c_str(), kMaxPemBytes);
    if (!pem.ok() && pem.error().kind == ErrorKind::kNotFound && trust.origin.empty()) {
      return Error{fmt::format(
          "no trusted certificate authorities: {} does not exist; name a PEM file of them "
          "with --cacert FILE, or skip verification with --insecure",
          trust.path)};
    }
    if (!pem.ok()) return pem.error().In(fmt::format("cannot read {}", what));
    if (!pem->complete) return Error{fmt::format("cannot read {}: larger than 4 MiB", what)};
    anchors_.Load(pem->text);
    if (anchors_.size() == 0 && anchors_.malformed_blocks() > 0) {
      return Error{
          fmt::format("{} holds no usable certificate: the PEM block at line {} is "
                      "malformed",
                      what, anchors_.first_malformed_line())};
    }
    if (anchors_.size() == 0) {
      return Error{fmt::format("{} holds no PEM certificate of RSA or EC key", what)};
    }
  }

  br_ssl_client_zero(&client_);
  br_ssl_engine_context& engine = client_.eng;
  br_ssl_engine_set_versions(&engine, BR_TLS12, BR_TLS12);
  br_ssl_engine_set_suites(&engine, kSuites, std::size(kSuites));
  br_x509_minimal_init(&minimal_, &br_sha256_vtable, anchors_.data(), anchors_.size());
  for (const br_hash_class* hash : kHashes) {
    int id = static_cast<int>(hash->desc >> BR_HASHDESC_ID_OFF & BR_HASHDESC_ID_MASK);
    br_ssl_engine_set_hash(&engine, id, hash);
    br_x509_minimal_set_hash(&minimal_, id, hash);
  }
  br_x509_minimal_set_rsa(&minimal_, br_rsa_pkcs1_vrfy_get_default());
  br_x509_minimal_set_ecdsa(&minimal_, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
  br_ssl_engine_set_prf_sha256(&engine, &br_tls12_sha256_prf);
  br_ssl_engine_set_prf_sha384(&engine, &br_tls12_sha384_prf);
  br_ssl_engine_set_default_ec(&engine);
  br_ssl_engine_set_default_rsavrfy(&engine);
  br_ssl_engine_set_default_ecdsa(&engine);
  // The portable constant-time AES and GHASH: the x86 AES-NI and PCLMUL code would add 5 KB to
  // speed up a few hundred bytes.
  br_ssl_engine_set_gcm(&engine, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
  br_ssl_engine_set_aes_ctr(&engine, &br_aes_ct64_ctr_vtable);
  br_ssl_engine_set_ghash(&engine, &br_ghash_ctmul64);
  hook_ = {&kHookClass, this};
  br_ssl_engine_set_x509(&engine, &hook_.vtable);
  br_ssl_engine_set_buffer(&engine, buffer_.data(), buffer_.size(), 1);
  // The kernel's generator, so that no /dev/urandom is needed (an empty root has none).
  unsigned char seed[32];
  if (getrandom(seed, sizeof seed, 0) == static_cast<ssize_t>(sizeof seed)) {
    br_ssl_engine_inject_entropy(&engine, seed, sizeof seed);
  }
  // RFC 6066 3: SNI carries host names only, never an address literal.
  bool is_address = ParseIpAddress(host_).has_value();
  std::string sni(WithoutFinalDot(host_));
  if (br_ssl_client_reset(&client_, is_address ? nullptr : sni.c_str(), 0) == 0) {
    return Error{Failed(Explain(br_ssl_engine_last_error(&engine)))};
  }
  Result<bool> open = Run(BR_SSL_SENDAPP);
  if (!open.ok()) return open.error();
  handshake_done_ = true;
  return 0;
}

Result<bool> TlsStream::Run(unsigned want) {
  br_ssl_engine_context& engine = client_.eng;
  while (true) {
    unsigned state = br_ssl_engine_current_state(&engine);
    if ((state & BR_SSL_CLOSED) != 0) {
      int error = br_ssl_engine_last_error(&engine);
      // close_notify after the response: the end of the stream.
      if (error == BR_ERR_OK && handshake_done_) return false;
      if (error == BR_ERR_OK) return Error{Failed("the server closed the connection")};
      return Error{Failed(Explain(error))};
    }
    // Records waiting to go out go first: the peer may wait for them before it answers.
    bool sending = (state & BR_SSL_SENDREC) != 0;
    if (!sending && (state & want) != 0) return true;
    if (!sending && (state & BR_SSL_RECVREC) == 0) return Error{Failed("unexpected TLS state")};
    size_t length = 0;
    unsigned char* data = sending ? br_ssl_engine_sendrec_buf(&engine, &length)
                                  : br_ssl_engine_recvrec_buf(&engine, &length);
    // MSG_NOSIGNAL: a peer that closed must be an error, not a SIGPIPE (see SocketStream::Send).
    ssize_t n = sending ? send(fd_, data, length, MSG_NOSIGNAL) : recv(fd_, data, length, 0);
    if (n > 0) {
      if (sending) {
        br_ssl_engine_sendrec_ack(&engine, static_cast<size_t>(n));
      } else {
        size_t take = std::min(first_header_.size() - first_header_size_, static_cast<size_t>(n));
        std::memcpy(first_header_.data() + first_header_size_, data, take);
        first_header_size_ += take;
        br_ssl_engine_recvrec_ack(&engine, static_cast<size_t>(n));
      }
    } else if (n == 0) {
      // Many servers close without close_notify; the HTTP parser sees whether a body was cut.
      if (handshake_done_) return false;
      return Error{Failed("the server closed the connection")};
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      // Worded as the plain stream's waits once the handshake is done.
      std::string doing = !handshake_done_ ? "in the TLS handshake with "
                          : sending        ? "sending to "
                                           : "waiting for the response from ";
      Result<void> ready = WaitForSocket(ctx_, fd_, sending ? POLLOUT : POLLIN, doing + endpoint_);
      if (!ready.ok()) return ready.error();
    } else if (errno != EINTR) {
      return Error::System(Failed(sending ? "send" : "read"), errno);
    }
  }
}

Result<size_t> TlsStream::Send(std::string_view data) {
  br_ssl_engine_context& engine = client_.eng;
  size_t total = data.size();
  while (!data.empty()) {
    Result<bool> open = Run(BR_SSL_SENDAPP);
    if (!open.ok()) return open.error();
    if (!*open) return Error{Failed("the server closed the connection")};
    size_t room = 0;
    unsigned char* buffer = br_ssl_engine_sendapp_buf(&engine, &room);
    size_t n = std::min(room, data.size());
    std::memcpy(buffer, data.data(), n);
    br_ssl_engine_sendapp_ack(&engine, n);
    data.remove_prefix(n);
  }
  // The record goes out with the next Run, which Receive starts with.
  br_ssl_engine_flush(&engine, 0);
  return total;
}

Result<size_t> TlsStream::Receive(std::span<char> buffer) {
  br_ssl_engine_context& engine = client_.eng;
  Result<bool> open = Run(BR_SSL_RECVAPP);
  if (!open.ok()) return open.error();
  if (!*open) return 0;
  size_t length = 0;
  unsigned char* data = br_ssl_engine_recvapp_buf(&engine, &length);
  size_t n = std::min(length, buffer.size());
  std::memcpy(buffer.data(), data, n);
  br_ssl_engine_recvapp_ack(&engine, n);
  return n;
}

std::string TlsStream::Explain(int error) {
  // TLS records start with a content type from 20 to 23; "HTTP/1.1 400" does not.
  if (first_header_size_ > 0 && (first_header_[0] < 20 || first_header_[0] > 23)) {
    return "the server does not speak TLS (plain http?)";
  }
  if (!problem_.empty()) return problem_;
  if (error == BR_ERR_X509_EXPIRED && !chain_.empty()) {
    Result<Certificate> leaf = ParseCertificate(chain_[0]);
    Result<void> valid = leaf.ok() ? CheckValidity(*leaf, UtcNow()) : Result<void>();
    if (!valid.ok()) return valid.error().message;
    // Else the server's own certificate is fine: one of the authorities above it is not.
  }
  // An alert in a record below TLS 1.2 (3.3) comes from a server that speaks only older versions:
  // with no suite that both allow, it says handshake_failure rather than protocol_version.
  constexpr unsigned char kAlertRecord = 21;
  if (error > BR_ERR_RECV_FATAL_ALERT && error < BR_ERR_SEND_FATAL_ALERT &&
      first_header_size_ == first_header_.size() && first_header_[0] == kAlertRecord &&
      first_header_[1] == 3 && first_header_[2] < 3) {
    return fmt::format(
        "protocol version refused: the server speaks {} at most, linger TLS 1.2 (alert {})",
        first_header_[2] == 0 ? "SSL 3.0" : fmt::format("TLS 1.{}", first_header_[2] - 1),
        AlertName(error - BR_ERR_RECV_FATAL_ALERT));
  }
  if (error == BR_ERR_X509_NOT_TRUSTED) {
    const TrustStore& trust = options_.trust;
    std::string skipped;
    if (anchors_.malformed_blocks() > 0) {
      skipped =
          fmt::format("; {} malformed PEM block{} skipped there, the first at line {}",
                      anchors_.malformed_blocks(), anchors_.malformed_blocks() == 1 ? "" : "s",
                      anchors_.first_malformed_line());
    }
    return fmt::format("unknown certificate authority (not in {}{}{})",
                       trust.origin.empty() ? "" : trust.origin + " ", trust.path, skipped);
  }
  return TlsErrorText(error);
}

}  // namespace

TrustStore ChooseTrustStore(std::string_view cacert,
                            std::optional<std::string_view> ssl_cert_file) {
  if (!cacert.empty()) return {std::string(cacert), "--cacert"};
  if (ssl_cert_file && !ssl_cert_file->empty())
    return {std::string(*ssl_cert_file), "$SSL_CERT_FILE"};
  return {std::string(kSystemCaBundle), ""};
}

Result<std::unique_ptr<Stream>> StartTls(const AttemptContext& ctx, int fd,
                                         const std::string& endpoint, const std::string& host,
                                         const TlsOptions& options) {
  // BearSSL hands over each handshake record on its own; with Nagle's algorithm the client's
  // last ones would wait for the server's delayed ACK (40 ms on Linux) of the first, on every
  // attempt. Records are whole messages here, never byte by byte, so nothing is gained by holding
  // them back.
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    return Error::System(fmt::format("TCP_NODELAY on the connection to {}", endpoint), errno);
  }
  auto stream = std::make_unique<TlsStream>(ctx, fd, endpoint, host, options);
  Result<size_t> done = stream->Handshake();
  if (!done.ok()) return done.error();
  return std::unique_ptr<Stream>(std::move(stream));
}

std::string TlsErrorText(int error) {
  if (error >= BR_ERR_SEND_FATAL_ALERT) {
    int alert = error - BR_ERR_SEND_FATAL_ALERT;
    return fmt::format("linger sent alert {} ({})", AlertName(alert), alert);
  }
  if (error >= BR_ERR_RECV_FATAL_ALERT) {
    int alert = error - BR_ERR_RECV_FATAL_ALERT;
    if (alert == 70) {
      return "protocol version refused: the server does not accept TLS 1.2 (alert "
             "protocol_version)";
    }
    return fmt::format("handshake failure: the server sent alert {} ({})", AlertName(alert), alert);
  }
  switch (error) {
    case BR_ERR_UNSUPPORTED_VERSION:
      return "protocol version refused: the server offers a TLS version below 1.2";
    case BR_ERR_BAD_VERSION:
    case BR_ERR_UNKNOWN_TYPE:
      return "the server does not speak TLS (plain http?)";
    case BR_ERR_BAD_CIPHER_SUITE:
      return "the server chose a cipher suite that was not offered";
    case BR_ERR_NO_RANDOM:
      return "no random seed for TLS";
    case BR_ERR_BAD_SIGNATURE:
    case BR_ERR_X509_BAD_SIGNATURE:
      return "bad signature";
    case BR_ERR_X509_EXPIRED:
      return "a certificate of the chain has expired or is not yet valid";
    case BR_ERR_X509_NOT_TRUSTED:
      return "unknown certificate authority";
    case BR_ERR_X509_NOT_CA:
      return "an intermediate certificate is not a CA";
    case BR_ERR_X509_WEAK_PUBLIC_KEY:
      return "a certificate of the chain has a weak key";
    case BR_ERR_X509_EMPTY_CHAIN:
      return "the server sent no certificate";
    case BR_ERR_X509_CRITICAL_EXTENSION:
      return "a certificate has an unsupported critical extension";
    case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
    case BR_ERR_WRONG_KEY_USAGE:
      return "the certificate's key usage forbids this use";
    case BR_ERR_X509_UNSUPPORTED:
    case BR_ERR_X509_WRONG_KEY_TYPE:
    case BR_ERR_INVALID_ALGORITHM:
      return "the certificate uses an unsupported algorithm";
    case BR_ERR_X509_BAD_SERVER_NAME:
      return "the certificate is not for this host";
    case BR_ERR_X509_LIMIT_EXCEEDED:
      return "a certificate of the chain is beyond the verifier's limits (a name too long?)";
    case BR_ERR_X509_DN_MISMATCH:
      return "the certificate chain does not link up: an issuer is not the next subject";
    case BR_ERR_X509_TIME_UNKNOWN:
      return "the current time is unknown, so no certificate can be checked";
    case BR_ERR_BAD_MAC:
      return "a record failed its integrity check (bad MAC)";
    case BR_ERR_BAD_FINISHED:
      return "the handshake does not verify (bad Finished message)";
    case BR_ERR_UNEXPECTED:
    case BR_ERR_BAD_CCS:
    case BR_ERR_BAD_HELLO_DONE:
      return "the server sent a handshake message out of order";
    case BR_ERR_BAD_LENGTH:
    case BR_ERR_TOO_LARGE:
    case BR_ERR_BAD_FRAGLEN:
    case BR_ERR_BAD_ALERT:
    case BR_ERR_BAD_HANDSHAKE:
    case BR_ERR_OVERSIZED_ID:
    case BR_ERR_BAD_COMPRESSION:
    case BR_ERR_EXTRA_EXTENSION:
    case BR_ERR_BAD_SNI:
    case BR_ERR_BAD_SECRENEG:
    case BR_ERR_LIMIT_EXCEEDED:
      return "the server sent a malformed or oversized TLS message";
    default:
      break;
  }
  // The X.690 decoding failures: which rule of DER was broken says nothing to a person.
  if (error >= BR_ERR_X509_INVALID_VALUE && error <= BR_ERR_X509_BAD_TIME) {
    return "malformed certificate in the chain (invalid DER)";
  }
  return fmt::format("handshake failure (TLS error {})", error);
}

}  // namespace linger
