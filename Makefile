# wharf: `make demo` to explore, `make test` to run every test.
GO      ?= go
BIN     := bin/wharf
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run demo test unit bench lint fmt golden deps clean

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wharf

## run: wharf against your own engine and registries
run: build
	./$(BIN)

## demo: wharf on an embedded registry with sample images, no setup needed
demo: build
	./$(BIN) --demo

## test: everything — unit, golden, integration against a private dockerd and real registries, -race
test:
	bash testdata/scripts/test.sh

## unit: the fast tests only (no engine, no registry processes)
unit:
	$(GO) test -short -count=1 ./...

## deps: install docker.io and docker-registry (as root) and build distribution v3
deps:
	bash testdata/scripts/install-deps.sh

bench: deps
	WHARF_REGISTRY_V3=$(CURDIR)/.tools/bin/registry $(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	$(GO) vet ./...
	@test -x .tools/bin/golangci-lint || (mkdir -p .tools && cd .tools && GOBIN=$$PWD/bin GOFLAGS=-mod=mod $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0)
	.tools/bin/golangci-lint run ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## golden: rewrite golden files from the current views (review the diff!)
golden:
	$(GO) test ./tui/... ./views/... -update

clean:
	rm -rf bin
