# wactor — the two commands: `make run` (build + demo) and `make test` (build + whole suite).
# Both install missing Debian packages first (scripts/deps.sh).
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-asan bench bench-deps fuzz-build fuzz fuzz-smoke clean install

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j $(JOBS)

run: build
	./build/wactor run build/examples/demo.yaml --until-idle

test: build
	cd build && ctest --output-on-failure -j $(JOBS)

# Installs the CLI, libwactor.a/.so, the headers, wactor.pc, the CMake package and wactor(1) under
# $(PREFIX) (default /usr/local), staged below $(DESTDIR) when given: make install DESTDIR=/tmp/stage
PREFIX ?= /usr/local
install: build
	DESTDIR="$(DESTDIR)" cmake --install build --prefix "$(PREFIX)"

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWACTOR_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

# The bench also runs the Erlang/OTP side (bench/erlang/) and draws docs/bench-throughput.png.
bench-deps: deps
	@scripts/deps.sh erlang-nox gnuplot-nox

# Erlang/OTP first (bench/erlang), then wactor with a wactor/Erlang ratio column, then the plot.
bench: bench-deps build
	@mkdir -p bench/out
	bench/erlang/run.sh > bench/out/erlang.tsv
	./build/bench/wactor-bench --erlang bench/out/erlang.tsv --tsv bench/out/wactor.tsv
	bench/plot.sh

# libFuzzer targets (fuzz/README.md): clang with -fsanitize=fuzzer,address,undefined in build-fuzz.
FUZZ_SECONDS ?= 300
fuzz-build: deps
	@scripts/deps.sh libclang-rt-14-dev
	@cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
		-DCMAKE_CXX_COMPILER=clang++ -DWACTOR_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_all

# Each target for FUZZ_SECONDS seconds (default 300).
fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_SECONDS)

# Each target for 40 s; fails on a crash, leak, UB or hang.
fuzz-smoke: fuzz-build
	fuzz/run.sh --smoke 40

clean:
	rm -rf build build-asan build-fuzz
