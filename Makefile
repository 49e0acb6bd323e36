# Truce. `make test` is what CI runs (.ci/run); see README.md.
GO ?= go

.PHONY: all build test vet demo bench bench-go clean web

all: build

## web: the UI's browser libraries from npm (web/package-lock.json), copied into internal/web/static/vendor for go:embed
WEB_VENDOR := internal/web/static/vendor/leaflet.js
web: $(WEB_VENDOR)
$(WEB_VENDOR): web/package.json web/package-lock.json web/vendor.mjs
	cd web && npm ci --no-audit --no-fund --loglevel=error
	node web/vendor.mjs

## build: the truce binary in ./bin/truce
build: web
	$(GO) build -o bin/truce ./cmd/truce

## vet: go vet on every package
vet:
	$(GO) vet ./...

## test: vet, then every test; on SQLite and, when PostgreSQL 15 is installed, on a throwaway PostgreSQL too
test: web vet
	./scripts/with-postgres.sh $(GO) test -count=1 ./...

## demo: load the demo mission into ./truce-demo.db and serve it on http://127.0.0.1:8080/
demo: web
	$(GO) run ./cmd/truce demo

## bench: the cross-tool benchmark table (Truce vs PostGIS, geopandas, sqlite3 .import, COPY); BENCH_QUICK=1 for a 10k smoke run
bench:
	./scripts/bench.sh

## bench-go: the Go micro-benchmarks
bench-go:
	$(GO) test -run '^$$' -bench . ./...

## clean: remove the binary and the demo database
clean:
	rm -rf bin truce-demo.db truce-demo.db-wal truce-demo.db-shm

help:
	@grep -E '^## ' Makefile | sed 's/^## /  /'
