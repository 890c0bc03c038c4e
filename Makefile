# wactor — the two commands: `make run` (build + demo) and `make test` (build + whole suite).
# Both install missing Debian packages first (scripts/deps.sh).
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-asan bench bench-deps clean

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

clean:
	rm -rf build build-asan
