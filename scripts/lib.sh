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

# The Debian mirror this machine's apt uses: the first deb822 stanza or one-line entry that
# carries bookworm; Debian's own where there is none.
debian_mirror() {
  local file found
  found=$(
    for file in /etc/apt/sources.list.d/*.sources; do
      [ -f "$file" ] && awk '/^URIs:/ { uri = $2 } /^$/ { uri = "" }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") print uri }' "$file"
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$file" ] && awk '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/) {
        if ($(i + 1) == "bookworm") print $i; break } }' "$file"
    done
    true
  )
  found=${found%%$'\n'*}
  echo "${found:-http://deb.debian.org/debian}"
}

# Prints the path of a tarball of a minimal Debian 12 root (debootstrap --variant=minbase from
# MIRROR), made in CACHE the first time and reused after: the container tests' base image and the
# newcomer test's fresh machine. Needs root.
debian_root_tarball() {
  local cache=$1 mirror=$2
  local tarball=$cache/debian-bookworm-minbase.tar
  if [ ! -s "$tarball" ]; then
    require_packages debootstrap
    echo "debootstrap bookworm from $mirror into $tarball (once per machine)" >&2
    local root
    root=$(mktemp -d "$cache/rootfs.XXXXXX")
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
      { tail -20 "$cache/debootstrap.log" >&2; rm -rf "$root"; return 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    chmod 0755 "$root"  # mktemp made it 0700, and a root directory is every user's
    tar -C "$root" --numeric-owner -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  echo "$tarball"
}
