# Truce. `make test` is what CI runs (.ci/run); see README.md.
GO ?= go

.PHONY: all build test vet demo bench bench-peers bench-stores bench-api bench-go clean web

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
	./scripts/with-postgres.sh $(GO) test -count=1 -timeout 45m ./...

## demo: load the demo mission into ./truce-demo.db and serve it on http://127.0.0.1:8080/
demo: web
	$(GO) run ./cmd/truce demo

## bench: every benchmark table below, one after the other; BENCH_QUICK=1 for a smoke run of each
bench: bench-peers bench-stores bench-api

## bench-peers: Truce vs PostGIS, geopandas, sqlite3 .import and COPY (adjudication, import, log verify)
bench-peers:
	./scripts/bench.sh

## bench-stores: SQLite vs PostgreSQL side by side (import, log append, 1/4/16 writers, grouping, adjudication, queries)
bench-stores:
	./scripts/bench-stores.sh

## bench-api: API latency p50/p99 and throughput at 1M records (BENCH_QUICK=1: 20k)
bench-api:
	./scripts/bench-api.sh

## bench-go: the Go micro-benchmarks
bench-go:
	$(GO) test -run '^$$' -bench . ./...

## clean: remove the binary and the demo database
clean:
	rm -rf bin truce-demo.db truce-demo.db-wal truce-demo.db-shm

help:
	@grep -E '^## ' Makefile | sed 's/^## /  /'
