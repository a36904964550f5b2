// The shipped binary's ELF headers: a static PIE for the target machine, hardened, and small. Built
// for the target and, when cross compiled, run under qemu-user.
#include <elf.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "catch.h"

namespace {

#if defined(__aarch64__)
constexpr std::uint16_t kMachine = EM_AARCH64;
#elif defined(__x86_64__)
constexpr std::uint16_t kMachine = EM_X86_64;
#else
#error "linger ships for x86-64 and arm64 only"
#endif

std::string ReadBinary(const char* path) {
  std::string data;
  std::FILE* file = std::fopen(path, "rbe");
  if (file == nullptr) return data;
  char chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) data.append(chunk, n);
  std::fclose(file);
  return data;
}

// The ELF file's program headers, read from its bytes.
struct Elf {
  std::string bytes;
  Elf64_Ehdr header{};
  std::vector<Elf64_Phdr> segments;

  explicit Elf(const char* path) : bytes(ReadBinary(path)) {
    REQUIRE(bytes.size() > sizeof header);
    std::memcpy(&header, bytes.data(), sizeof header);
    REQUIRE(std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0);
    REQUIRE(header.e_ident[EI_CLASS] == ELFCLASS64);
    for (size_t i = 0; i < header.e_phnum; ++i) {
      Elf64_Phdr ph;
      size_t offset = header.e_phoff + i * header.e_phentsize;
      REQUIRE(offset + sizeof ph <= bytes.size());
      std::memcpy(&ph, bytes.data() + offset, sizeof ph);
      segments.push_back(ph);
    }
  }

  // The first segment of `type`, or null.
  const Elf64_Phdr* Find(std::uint32_t type) const {
    for (const Elf64_Phdr& ph : segments) {
      if (ph.p_type == type) return &ph;
    }
    return nullptr;
  }

  // The entries of the dynamic section (a static PIE has one for its own relocations).
  std::vector<Elf64_Dyn> Dynamic() const {
    std::vector<Elf64_Dyn> entries;
    const Elf64_Phdr* dynamic = Find(PT_DYNAMIC);
    if (dynamic == nullptr) return entries;
    for (size_t at = dynamic->p_offset;
         at + sizeof(Elf64_Dyn) <= dynamic->p_offset + dynamic->p_filesz &&
         at + sizeof(Elf64_Dyn) <= bytes.size();
         at += sizeof(Elf64_Dyn)) {
      Elf64_Dyn dyn;
      std::memcpy(&dyn, bytes.data() + at, sizeof dyn);
      if (dyn.d_tag == DT_NULL) break;
      entries.push_back(dyn);
    }
    return entries;
  }
};

}  // namespace

TEST_CASE("the release binary is at most 300,000 bytes, TLS included") {
  // Small enough for a ConfigMap's binaryData (1 MiB) with room to spare, and well under the
  // single-purpose inits it replaces (tini-static: 708,080 bytes).
  Elf elf(LINGER_BIN);
  INFO(LINGER_BIN << ": " << elf.bytes.size() << " bytes");
  CHECK(elf.bytes.size() <= 300'000);
  CHECK(elf.header.e_machine == kMachine);
}

TEST_CASE("the release binary is a static PIE: position independent, no interpreter, no library") {
  Elf elf(LINGER_BIN);
  CHECK(elf.header.e_type == ET_DYN);
  CHECK(elf.Find(PT_INTERP) == nullptr);
  for (const Elf64_Dyn& dyn : elf.Dynamic()) CHECK(dyn.d_tag != DT_NEEDED);
}

TEST_CASE("the release binary is hardened: non-executable stack, read-only relocations") {
  Elf elf(LINGER_BIN);
  const Elf64_Phdr* stack = elf.Find(PT_GNU_STACK);
  REQUIRE(stack != nullptr);
  CHECK((stack->p_flags & PF_X) == 0);
  CHECK(elf.Find(PT_GNU_RELRO) != nullptr);
  // BIND_NOW: every relocation is done at start-up, so RELRO covers them all.
  bool bind_now = false;
  for (const Elf64_Dyn& dyn : elf.Dynamic()) {
    if (dyn.d_tag == DT_FLAGS && (dyn.d_un.d_val & DF_BIND_NOW) != 0) bind_now = true;
    if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NOW) != 0) bind_now = true;
  }
  CHECK(bind_now);
}
