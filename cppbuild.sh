#!/usr/bin/env bash
# Builds gradroute: fetches the exact libtorch headers the JavaCPP preset was built from, unpacks
# the preset's libraries to link against, then runs Maven (which compiles native/ with JavaCPP).
#
#   ./cppbuild.sh                 build (mvn package, tests skipped)
#   ./cppbuild.sh test            build and run the tests (the native core's C++ tests, then the Java ones)
#   ./cppbuild.sh native-test     only the native core's C++ tests (CMake + GoogleTest + CTest)
#   ./cppbuild.sh --gpu ...       the CUDA build of the preset (Maven profile gpu)
#   ./cppbuild.sh install         install the core artifact in ~/.m2 with its -sources and -javadoc jars
#   ./cppbuild.sh MAVEN_ARGS...   any other arguments go to Maven as they are
#
# GRADROUTE_CACHE (default ~/.cache/gradroute) holds the headers and libraries; once it is filled
# the script needs no network beyond what Maven itself needs.
set -euo pipefail

TORCH_VERSION=2.10.0
PRESET_VERSION=${TORCH_VERSION}-1.5.13
OPENBLAS_VERSION=0.3.31-1.5.13
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${GRADROUTE_CACHE:-$HOME/.cache/gradroute}
TORCH_HOME=$CACHE/libtorch-$TORCH_VERSION

classifier=linux-x86_64
maven_args=()
native_test=0
# each preset flavour unpacks its libraries into a folder of its own, so both builds can coexist
for arg in "$@"; do
  case "$arg" in
    --gpu) classifier=linux-x86_64-gpu; maven_args+=(-Pgpu) ;;
    test) native_test=1; maven_args+=(test) ;;
    native-test) native_test=2 ;;
    # an installed core is release-shaped: -sources and -javadoc jars, doclint clean (java/pom.xml)
    install|deploy) maven_args+=("$arg" -Prelease) ;;
    *) maven_args+=("$arg") ;;
  esac
done
has_goal=0
for arg in "${maven_args[@]+"${maven_args[@]}"}"; do [[ "$arg" == -* ]] || has_goal=1; done
[ $has_goal -eq 1 ] || maven_args+=(-DskipTests package)

say() { echo "cppbuild: $*" >&2; }
die() { say "$*"; exit 1; }

command -v mvn >/dev/null || die "Maven (mvn) is not installed: apt-get install maven"
command -v unzip >/dev/null || { say "installing unzip"; apt-get install -y -q unzip >/dev/null || die "unzip is missing: apt-get install unzip"; }
gxx_major=$(g++ -dumpversion 2>/dev/null | cut -d. -f1 || echo 0)
[ "${gxx_major:-0}" -ge 11 ] || die "g++ 11 or newer is needed for C++17 libtorch headers (found: ${gxx_major:-none})"

headers_version() {
  local v=$TORCH_HOME/include/torch/headeronly/version.h
  [ -f "$v" ] || return 1
  local major minor patch
  major=$(awk '/define TORCH_VERSION_MAJOR/ {print $3}' "$v")
  minor=$(awk '/define TORCH_VERSION_MINOR/ {print $3}' "$v")
  patch=$(awk '/define TORCH_VERSION_PATCH/ {print $3}' "$v")
  echo "$major.$minor.$patch"
}

fetch_headers() {
  local found
  found=$(headers_version || true)
  if [ "$found" = "$TORCH_VERSION" ]; then return; fi
  [ -z "$found" ] || die "$TORCH_HOME/include holds libtorch $found headers, not $TORCH_VERSION: remove it and run again"
  local python pip_ok=1
  python=$(command -v python3 || true)
  [ -n "$python" ] && "$python" -m pip --version >/dev/null 2>&1 || pip_ok=0
  [ $pip_ok -eq 1 ] || die "pip is needed once to fetch the torch==$TORCH_VERSION headers (apt-get install python3-pip), or unpack 'torch/include/*' of a torch-$TORCH_VERSION wheel into $TORCH_HOME/include yourself"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  say "downloading the torch==$TORCH_VERSION wheel once for its headers (about 900 MB; only the headers are kept)"
  "$python" -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_28_x86_64 "torch==$TORCH_VERSION" -d "$tmp" \
    || die "could not download torch==$TORCH_VERSION from PyPI. Without network: unpack 'torch/include/*' from a torch-$TORCH_VERSION wheel into $TORCH_HOME/include, or point GRADROUTE_CACHE at a cache that has it"
  local wheel
  wheel=$(ls "$tmp"/torch-"$TORCH_VERSION"*.whl 2>/dev/null | head -1)
  [ -n "$wheel" ] || die "pip did not produce a torch-$TORCH_VERSION wheel in $tmp"
  unzip -q -o "$wheel" 'torch/include/*' 'torch/version.py' -d "$tmp/unpacked"
  grep -q "__version__ = '$TORCH_VERSION" "$tmp/unpacked/torch/version.py" \
    || die "the wheel's torch/version.py is not $TORCH_VERSION: $(grep __version__ "$tmp/unpacked/torch/version.py")"
  mkdir -p "$TORCH_HOME"
  rm -rf "$TORCH_HOME/include.partial"
  mv "$tmp/unpacked/torch/include" "$TORCH_HOME/include.partial"
  mv "$TORCH_HOME/include.partial" "$TORCH_HOME/include"
  found=$(headers_version || true)
  [ "$found" = "$TORCH_VERSION" ] || die "unpacked headers report version '$found', expected $TORCH_VERSION"
  say "libtorch $found headers in $TORCH_HOME/include"
}

# The preset jars carry the shared libraries our module links against.
torch_lib() {
  if [ "$classifier" = linux-x86_64 ]; then echo "$TORCH_HOME/lib"; else echo "$TORCH_HOME/lib-$classifier"; fi
}

unpack_libraries() {
  local lib
  lib=$(torch_lib)
  local marker=$lib/.unpacked-$classifier
  # libopenblas needs the libgfortran/libquadmath its jar carries (the C++ tests link it); a cache
  # unpacked before they were added only gets those two
  if [ -f "$marker" ] && [ ! -f "$lib/libgfortran.so.5" ]; then
    local blas_jar=$HOME/.m2/repository/org/bytedeco/openblas/$OPENBLAS_VERSION/openblas-$OPENBLAS_VERSION-linux-x86_64.jar
    [ -f "$blas_jar" ] || (cd "$ROOT" && mvn -B -q dependency:get -Dartifact="org.bytedeco:openblas:$OPENBLAS_VERSION:jar:linux-x86_64") \
      || die "Maven could not fetch org.bytedeco:openblas:$OPENBLAS_VERSION"
    unzip -q -o -j "$blas_jar" 'org/bytedeco/openblas/*/libgfortran.so*' 'org/bytedeco/openblas/*/libquadmath.so*' -d "$lib"
  fi
  [ -f "$marker" ] && return
  local jars=$TORCH_HOME/jars
  mkdir -p "$jars"
  say "resolving the preset jars ($classifier)"
  (cd "$ROOT" && mvn -B -q dependency:copy -Dmdep.useBaseVersion=true -DoutputDirectory="$jars" \
      -Dartifact="org.bytedeco:pytorch:$PRESET_VERSION:jar:$classifier") \
    || die "Maven could not fetch org.bytedeco:pytorch:$PRESET_VERSION:$classifier"
  (cd "$ROOT" && mvn -B -q dependency:copy -DoutputDirectory="$jars" \
      -Dartifact="org.bytedeco:openblas:$OPENBLAS_VERSION:jar:linux-x86_64") \
    || die "Maven could not fetch org.bytedeco:openblas:$OPENBLAS_VERSION"
  rm -rf "$lib"
  mkdir -p "$lib"
  unzip -q -o -j "$jars/pytorch-$PRESET_VERSION-$classifier.jar" 'org/bytedeco/pytorch/*/lib*.so*' -x '*libjni*' -d "$lib"
  unzip -q -o -j "$jars/openblas-$OPENBLAS_VERSION-linux-x86_64.jar" 'org/bytedeco/openblas/*/libopenblas.so*' \
      'org/bytedeco/openblas/*/libgfortran.so*' 'org/bytedeco/openblas/*/libquadmath.so*' -d "$lib"
  rm -rf "$jars"
  touch "$marker"
}

# The C++ tests of native/ against the same headers and libraries the JNI module uses.
native_tests() {
  command -v cmake >/dev/null || die "cmake is needed for the native tests: apt-get install cmake libgtest-dev"
  local build=$ROOT/target/native-$classifier
  cmake -S "$ROOT/native" -B "$build" -DTORCH_HOME="$TORCH_HOME" -DTORCH_LIB="$(torch_lib)" \
      -DCMAKE_BUILD_TYPE=Release >/dev/null || die "cmake could not configure native/ (is libgtest-dev installed?)"
  cmake --build "$build" -j "$(nproc)" >"$build/build.log" 2>&1 \
    || { grep -E -A3 "error" "$build/build.log" | head -40 >&2; die "the native tests did not compile (whole log: $build/build.log)"; }
  (cd "$build" && OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=5000 ctest --output-on-failure) || die "native tests failed"
}

# The CUDA preset links the CUDA 13.1 runtime (libcudart, libcupti, cuBLAS, cuDNN, NCCL, ...), which
# Maven Central no longer carries (its "redist" jars exceed the size limit). Where the system has no
# CUDA 13 runtime, NVIDIA's own PyPI wheels provide it, once, in the cache; the GPU driver
# (libcuda) still comes from the machine, and without one the CUDA cases skip.
CUDA_RUNTIME=$CACHE/cuda-13.1
cuda_runtime() {
  [ "$classifier" = linux-x86_64-gpu ] || return 0
  if ! ldconfig -p 2>/dev/null | grep -q 'libcupti.so.13 ' && [ ! -d "$CUDA_RUNTIME" ]; then
    local python
    python=$(command -v python3 || true)
    [ -n "$python" ] && "$python" -m pip --version >/dev/null 2>&1 \
      || die "pip is needed once to fetch the CUDA 13.1 runtime libraries (apt-get install python3-pip), or install the CUDA 13.1 toolkit"
    say "fetching the CUDA 13.1 runtime libraries from PyPI once (about 2 GB) into $CUDA_RUNTIME"
    rm -rf "$CUDA_RUNTIME.partial"
    "$python" -m pip install -q --target "$CUDA_RUNTIME.partial" \
        "cuda-toolkit[cudart,cupti,cublas,cufft,curand,cusparse,cufile]==13.1.*" "nvidia-cudnn-cu13==9.19.*" "nvidia-nccl-cu13" \
      || die "could not fetch the CUDA 13.1 runtime wheels from PyPI"
    mv "$CUDA_RUNTIME.partial" "$CUDA_RUNTIME"
  fi
  if [ -d "$CUDA_RUNTIME" ]; then
    local dirs
    dirs=$(find "$CUDA_RUNTIME/nvidia" -maxdepth 2 -type d -name lib | sort | paste -sd: -)
    export LD_LIBRARY_PATH="$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
}

fetch_headers
unpack_libraries
cuda_runtime
[ $native_test -eq 0 ] || native_tests
[ $native_test -ne 2 ] || exit 0
say "mvn ${maven_args[*]}"
cd "$ROOT"
# the commit every run records (Provenance); "unknown" outside a git checkout
git_commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
git_dirty=unknown
[ "$git_commit" != unknown ] && { [ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && git_dirty=false || git_dirty=true; }
exec mvn -B -Dtorch.home="$TORCH_HOME" -Dtorch.lib="$(torch_lib)" -Dgradroute.git.commit="$git_commit" -Dgradroute.git.dirty="$git_dirty" "${maven_args[@]}"
