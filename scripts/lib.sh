# Shared by the scripts in this folder; sourced, not run.

# Installs the Debian packages that are missing, and is silent when all are there.
require_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# Lets dpkg and apt install packages built for ARCH (multiarch), as root; a no-op for this
# machine's own architecture and when already done. require_packages then updates the lists.
require_architecture() {
  [ "$1" = "$(dpkg --print-architecture)" ] && return 0
  dpkg --print-foreign-architectures | grep -qx "$1" && return 0
  echo "adding the dpkg architecture $1" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" dpkg --add-architecture "$1"
}

# What building linger and its unit tests needs.
BUILD_PACKAGES=(g++ cmake ninja-build libfmt-dev catch2 libbearssl-dev)
# What the release binary needs besides (cmake/Musl.cmake): clang, lld, llvm-objcopy (llvm-14),
# libc++'s headers, and musl for this machine. scripts/build adds musl-dev:ARCH (and
# libbearssl-dev:ARCH) for another architecture.
RELEASE_PACKAGES=(clang-14 lld-14 llvm-14 libc++-14-dev musl-dev)
