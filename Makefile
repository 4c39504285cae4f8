# wharf: `make demo` to explore, `make test` to run every test.
GO      ?= go
BIN     := bin/wharf
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# The linter is pinned; it is built into .tools/ on first use.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := .tools/bin/golangci-lint

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

$(GOLANGCI_LINT):
	mkdir -p .tools && cd .tools && GOBIN=$$PWD/bin GOFLAGS=-mod=mod $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

## lint: go vet, then golangci-lint (depguard holds the import rules of docs/architecture.md)
lint: $(GOLANGCI_LINT)
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...

## fmt: format as lint checks (gofumpt, goimports with wharf's imports last)
fmt: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) fmt ./...

## golden: rewrite golden files of every package whose tests have them (review the diff!)
golden:
	$(GO) test -count=1 $$($(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | grep ' github.com/wharf-dev/wharf/internal/golden' | cut -d' ' -f1) -update

clean:
	rm -rf bin
