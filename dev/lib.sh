# Shared helpers for the dev/ scripts: sourced, not run.
# Everything here is idempotent: a second call finds the work done and returns at once.

SUPCON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FASHION_MNIST_URL="${FASHION_MNIST_URL:-http://fashion-mnist.s3-website.eu-central-1.amazonaws.com}"

# libtorch on glibc: returning freed big buffers to the OS on every step costs 30-40 % system
# time on these CPUs; keeping them (see BENCHMARKS.md for the measured gain) is what we ship.
export MALLOC_MMAP_MAX_="${MALLOC_MMAP_MAX_:-0}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-68719476736}"
# The PyTorch natives come from Maven Central inside the jars; never download at run time.
export DJL_OFFLINE=true

say() { printf '\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

require_java() {
  command -v java >/dev/null || die "no java on PATH: install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk)"
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || die "Java $v found, 17 or newer needed"
}

# apt_install PKG...: installs the Debian packages that are missing (needs root or sudo).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || return 1
  say "installing ${missing[*]} (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    as_root apt-get update -q >/dev/null 2>&1 &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  }
}

# ensure_fashion_mnist: sets FASHION_MNIST_DIR to a folder holding the four IDX files.
ensure_fashion_mnist() {
  local files="train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz"
  has_all() { for f in $files; do [ -s "$1/$f" ] || return 1; done; }
  if [ -n "${FASHION_MNIST_DIR:-}" ] && has_all "$FASHION_MNIST_DIR"; then return 0; fi
  if has_all /usr/share/datasets/fashion-mnist; then export FASHION_MNIST_DIR=/usr/share/datasets/fashion-mnist; return 0; fi
  if apt_install dataset-fashion-mnist && has_all /usr/share/datasets/fashion-mnist; then
    export FASHION_MNIST_DIR=/usr/share/datasets/fashion-mnist; return 0
  fi
  local dir="$HOME/.cache/supcon/fashion-mnist"
  mkdir -p "$dir"
  if ! has_all "$dir"; then
    say "downloading Fashion-MNIST from $FASHION_MNIST_URL"
    for f in $files; do
      [ -s "$dir/$f" ] && continue
      if ! { curl -fsSL -o "$dir/$f.part" "$FASHION_MNIST_URL/$f" && mv "$dir/$f.part" "$dir/$f"; }; then
        die "could not get $f: install the Debian package dataset-fashion-mnist or put the IDX files in a folder named by FASHION_MNIST_DIR"
      fi
    done
  fi
  export FASHION_MNIST_DIR="$dir"
}

# build_trainer: builds the runnable trainer jar unless it is newer than every source file.
build_trainer() {
  local jar="$SUPCON_ROOT/trainer/target/quarkus-app/quarkus-run.jar"
  if [ -f "$jar" ] && [ -z "$(find "$SUPCON_ROOT/trainer/src" "$SUPCON_ROOT/trainer/pom.xml" "$SUPCON_ROOT/pom.xml" -newer "$jar" -print -quit)" ]; then
    return 0
  fi
  say "building the trainer (first time: Maven downloads its dependencies, a few minutes)"
  (cd "$SUPCON_ROOT" && ./mvnw -B -q -pl trainer -am install -DskipTests) || die "build failed (see the Maven output above)"
}

# build_all: builds both services and the tools jar unless they are newer than every source file.
build_all() {
  local stamp="$SUPCON_ROOT/dev/tools/target/.all-built"
  if [ -f "$stamp" ] && [ -f "$SUPCON_ROOT/trainer/target/quarkus-app/quarkus-run.jar" ] &&
     [ -f "$SUPCON_ROOT/inference/target/quarkus-app/quarkus-run.jar" ] && [ -f "$TOOLS_JAR" ] &&
     [ -z "$(find "$SUPCON_ROOT/proto/src" "$SUPCON_ROOT/common/src" "$SUPCON_ROOT/testing/src" "$SUPCON_ROOT/trainer/src" "$SUPCON_ROOT/inference/src" \
            "$SUPCON_ROOT/dev/tools/src" "$SUPCON_ROOT"/pom.xml "$SUPCON_ROOT"/*/pom.xml "$SUPCON_ROOT/dev/tools/pom.xml" \
            -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  say "building trainer, inference and the tools (first time: Maven downloads the dependencies, a few minutes)"
  (cd "$SUPCON_ROOT" && ./mvnw -B -ntp -q -pl trainer,inference,dev/tools -am install -DskipTests) || return 1
  touch "$stamp"
}

# The tools jar (dev/tools: the token issuer, the demo client, the benchmark clients); its
# dependencies are in dev/tools/target/lib, named in its manifest.
TOOLS_JAR="$SUPCON_ROOT/dev/tools/target/supcon-tools.jar"

# build_tools: builds the tools jar unless it is newer than every source file it is made from
# (the inference service's own build is skipped: only its rate-limiter classes go into the jar).
# Prints to stderr only, so that `$(dev/token)` captures the token alone.
build_tools() {
  if [ -f "$TOOLS_JAR" ] &&
     [ -z "$(find "$SUPCON_ROOT/dev/tools/src" "$SUPCON_ROOT/dev/tools/pom.xml" "$SUPCON_ROOT/testing/src/main" \
            "$SUPCON_ROOT/testing/pom.xml" "$SUPCON_ROOT/proto/src" "$SUPCON_ROOT/inference/src/main" "$SUPCON_ROOT/common/src/main" "$SUPCON_ROOT/pom.xml" \
            -newer "$TOOLS_JAR" -print -quit)" ]; then
    return 0
  fi
  say "building the tools jar (first time: Maven downloads the dependencies, a few minutes)" >&2
  (cd "$SUPCON_ROOT" && ./mvnw -B -ntp -q -pl dev/tools -am package -Dmaven.test.skip=true -Dquarkus.build.skip=true) >&2 ||
    die "building the tools jar failed (see the Maven output above)"
}

# tool NAME ARGS...: runs a tool of the tools jar (build_tools or build_all first).
tool() {
  java -jar "$TOOLS_JAR" "$@"
}

# free_port: a TCP port free now on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# port_open PORT: whether something listens on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_inference_copy WORKDIR LABEL JAVA_OPTIONS...: one copy of the packaged inference service on the
# test model repository (Kafka off, its own management port), logging to WORKDIR/LABEL.log; returns
# when its management port says ready; its pid is appended to the array `pids` (the caller kills them).
start_inference_copy() {
  local work="$1" label="$2" mport; mport=$(free_port); shift 2
  java -Dquarkus.management.port="$mport" \
    -Dinference.model-repository="$SUPCON_ROOT/inference/src/test/resources/models" \
    -Dinference.model-name=fashion-mnist-supcon -Dinference.kafka.enabled=false "$@" \
    -jar "$SUPCON_ROOT/inference/target/quarkus-app/quarkus-run.jar" > "$work/$label.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    # the management port speaks TLS when the API does (the default TLS configuration covers both)
    { curl -fs "http://127.0.0.1:$mport/q/health/ready" || curl -fsk "https://127.0.0.1:$mport/q/health/ready"; } >/dev/null 2>&1 &&
      { echo "$label ready"; return 0; }
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/$label.log"; die "$label exited"; }
    sleep 0.5
  done
  die "$label not ready after 60 s (log: $work/$label.log)"
}

# flag_to_field NAME: a `train` flag as the REST settings field (batch-size -> batchSize).
flag_to_field() {
  python3 -c 'import sys; p = sys.argv[1].split("-"); print(p[0] + "".join(x.title() for x in p[1:]))' "$1"
}

trainer() {
  java -Djava.awt.headless=true -jar "$SUPCON_ROOT/trainer/target/quarkus-app/quarkus-run.jar" "$@"
}

# throughput_run DIR ENCODER BATCH LIMIT: the fixed training-throughput run of dev/bench-train and
# dev/bench-roofline (2 epochs, no warm-up or validation, 1 linear epoch), output in DIR, log in
# DIR.log; prints the second epoch's "images_per_s<TAB>data_wait_share" (the first pays for the
# JIT and the allocator's warm-up). The caller's environment (malloc variables) applies.
throughput_run() {
  local dir=$1 enc=$2 batch=$3 limit=$4
  trainer train --encoder "$enc" --batch-size "$batch" --limit "$limit" --epochs 2 --warmup-epochs 0 --eval-every 0 \
    --learning-rate 0.05 --min-crop-scale 0.2 --validation-fraction 0 --linear-epochs 1 --test-limit 500 \
    --output "$dir" > "$dir.log" 2>&1 || die "train failed: $dir.log"
  python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["history"][-1]; print("%.1f\t%.4f" % (e["imagesPerSecond"], e["dataWaitShare"]))' \
    "$dir/summary.json"
}

# ensure_jwt_keys: sets JWT_PRIVATE_KEY / JWT_PUBLIC_KEY to the local development key pair
# (dev/.state/jwt, made once by the tools jar's `token keys`) and builds the tools jar if needed.
# dev/token issues tokens with it; the services started by dev/ scripts verify them with the public key.
ensure_jwt_keys() {
  local dir="$SUPCON_ROOT/dev/.state/jwt"
  JWT_PRIVATE_KEY="$dir/privateKey.pem"
  JWT_PUBLIC_KEY="$dir/publicKey.pem"
  build_tools
  if [ ! -s "$JWT_PRIVATE_KEY" ] || [ ! -s "$JWT_PUBLIC_KEY" ]; then
    tool token keys "$dir" >/dev/null || die "could not make the JWT key pair in $dir"
  fi
  export JWT_PRIVATE_KEY JWT_PUBLIC_KEY
}

# issue_token ROLES SUBJECT [TTL_SECONDS]: prints a token signed with the development key pair (ensure_jwt_keys first).
issue_token() {
  tool token issue --key "$JWT_PRIVATE_KEY" --roles "$1" --subject "$2" --ttl "${3:-3600}"
}
