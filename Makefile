# warta: news-ingestion pipeline. "make run" and "make test" are all a newcomer needs.
GO       ?= go
BIN      := $(CURDIR)/bin
DATA     ?= $(CURDIR)/.data
NATS_PORT ?= 4222
HTTP_ADDR ?= 127.0.0.1:8080
ENRICHERS ?= 2
SAMPLE   ?= samples/xi-putin-beijing.id.txt
# The version the services report (logs, /metrics, nats micro ls): the
# commit as git describe names it, or dev outside a git checkout.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# Every module of the workspace: "go test ./..." does not span go.work modules.
MODULES  := $(shell $(GO) list -m -f '{{.Dir}}')
PKGS     := $(addsuffix /...,$(MODULES))
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The named-entity corpora that "make model" trains on and "make eval" scores on.
CORPORA  ?= $(abspath $(CURDIR)/../shared/eval/ner)
MODEL_DIR := services/enrich/entities/model

# The unlabelled text that "make clusters" and "make langwords" read.
TEXT     ?= $(abspath $(CURDIR)/../shared/corpora)

.PHONY: all build build-faults run bench bench-search test fuzz fuzz-article test-short vet lint fmt tidy clean help model eval clusters langwords lexicon bench-enrich images push

# The container images of "make images" and "make push": REGISTRY/<service>:TAG,
# built from deploy/docker/<service>.Dockerfile and stamped with VERSION. The
# defaults give warta/<service>:dev, the images deploy/compose.yaml and
# deploy/k8s run; for a registry, "make push REGISTRY=registry.example.com/warta
# TAG=1.4.0" (after docker login), then point deploy/k8s at it (deploy/README.md).
REGISTRY ?= warta
TAG      ?= dev
DOCKER   ?= docker
SERVICES := ingest enrich index

all: build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{n[NR] = $$1; d[NR] = $$2; if (length($$1) > w) w = length($$1)} \
		END {for (i = 1; i <= NR; i++) printf "  %-" w "s  %s\n", n[i], d[i]}'

build: ## build the services, the operator CLI wartactl, warta-train, the local runner and the benchmark into ./bin, stamped with VERSION
	@mkdir -p $(BIN)
	$(GO) build -ldflags '-X main.version=$(VERSION)' -o $(BIN)/ ./services/ingest ./services/enrich ./services/index \
		./cmd/wartactl ./services/enrich/cmd/warta-train ./deploy/local/cmd/warta ./bench

# The fault tests of deploy/local/stack run the services built with -tags
# faults, which gives the index two settings that break it on purpose
# (INDEX_WRITE_DELAY, INDEX_ALERT_DELAY: services/index/faults.go). The
# binaries of make build, which everything else runs, have none of them.
FAULTS_BIN := $(BIN)/faults
build-faults: ## build the services for the fault tests (-tags faults) and wartactl into ./bin/faults
	@mkdir -p $(FAULTS_BIN)
	$(GO) build -tags faults -ldflags '-X main.version=$(VERSION)' -o $(FAULTS_BIN)/ ./services/ingest ./services/enrich ./services/index ./cmd/wartactl

run: build ## run NATS + ingest + enrichers + index on this machine, ingest the sample, stay up until Ctrl-C
	$(BIN)/warta --bin-dir $(BIN) --data-dir $(DATA) --nats-port $(NATS_PORT) \
		--http-addr $(HTTP_ADDR) --enrichers $(ENRICHERS) --sample $(SAMPLE)

images: $(addprefix image-,$(SERVICES)) ## build the images REGISTRY/<service>:TAG with docker (default warta/<service>:dev, as compose and deploy/k8s run them)

push: $(addprefix push-,$(SERVICES)) ## build the images and push them: make push REGISTRY=registry.example.com/warta TAG=1.4.0

.PHONY: $(addprefix image-,$(SERVICES)) $(addprefix push-,$(SERVICES))
$(addprefix image-,$(SERVICES)): image-%:
	$(DOCKER) build -f deploy/docker/$*.Dockerfile --build-arg VERSION=$(VERSION) -t $(REGISTRY)/$*:$(TAG) .

$(addprefix push-,$(SERVICES)): push-%: registry-set image-%
	$(DOCKER) push $(REGISTRY)/$*:$(TAG)

# warta/<service> would be pushed to Docker Hub's "warta", which is not yours.
.PHONY: registry-set
registry-set:
	@if [ "$(REGISTRY)" = warta ]; then echo "make push: set REGISTRY to your registry, e.g. make push REGISTRY=registry.example.com/warta TAG=1.4.0"; exit 1; fi

# BENCH_PARAGRAPHS, BENCH_ENRICHERS and the other BENCH_* variables of
# "bin/bench --help" change what it runs.
bench: build ## measure throughput, latency and scale-out (1, 2, 4 enrichers) and print the report
	$(BIN)/bench --bin-dir $(BIN) --samples samples --data-dir $(DATA)/bench

bench-search: build ## load the index's search API (big paragraphs, deep pages, slow readers) and print its RSS and latency
	$(BIN)/bench search --bin-dir $(BIN) --data-dir $(DATA)/bench

# BENCH_PEAK and BENCH_QUERY_RATE repeat a run's load; BENCH_LABEL names it in
# $(DATA)/bench/search-latency.jsonl, BENCH_BASELINE prints it beside an earlier one.
.PHONY: bench-search-latency
bench-search-latency: build ## p50/p99 of 1,000 mixed searches while the bench corpus is indexed at half load (about 3 minutes)
	$(BIN)/bench search-latency --bin-dir $(BIN) --samples samples --data-dir $(DATA)/bench

# BENCH_ALERT_COUNTS, BENCH_RUNS, BENCH_PARAGRAPHS and BENCH_PEAK change what it runs.
.PHONY: bench-alerts
bench-alerts: build ## indexing at half load with 0, 100, 1,000 and 10,000 standing searches: rate, CPU per article, alerts/s (medians of 3 runs)
	$(BIN)/bench alerts --bin-dir $(BIN) --samples samples --data-dir $(DATA)/bench

# The fault and scale-out tests print their figures (recovery times, redeliveries,
# RSS), so they run on their own with -v.
SHOWN_TESTS := ^(TestFault|TestEnrichersShareTheWork)

# Every step runs even when an earlier one fails, so one run reports every
# failure; the target fails if any step did.
test: build build-faults ## vet, fuzz briefly, and test every module with the race detector (real NATS, real index, real processes)
	@status=0; \
	$(MAKE) --no-print-directory vet || status=1; \
	$(MAKE) --no-print-directory fuzz-article || status=1; \
	WARTA_BIN_DIR=$(BIN) $(GO) test -race -count=1 -timeout 12m -skip '$(SHOWN_TESTS)' $(PKGS) || status=1; \
	$(GO) test -race -count=1 -tags faults -run '^TestFaultsBuild$$' ./services/index/ || status=1; \
	WARTA_BIN_DIR=$(FAULTS_BIN) $(GO) test -race -count=1 -timeout 8m -v -run '$(SHOWN_TESTS)' ./deploy/local/stack/ || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see the failures above)"; fi; \
	exit $$status

# The quick loop while changing code: no race detector, no fuzzing, and the
# tests that run processes, clusters or training skip themselves under -short.
test-short: ## the quick loop: every module's tests under -short (no end-to-end runs, no fuzzing; about a minute)
	$(GO) test -short -count=1 $(PKGS)

# A count, not a duration: a duration can end the run while a worker is busy,
# which go test reports as "context deadline exceeded", a failure of its own.
FUZZTIME ?= 60000x
FUZZ = $(GO) test -run='^$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s -fuzz
fuzz-article: ## fuzz article parsing and paragraph splitting, FUZZTIME inputs each (part of make test)
	$(FUZZ)='^FuzzParse$$' ./pkg/article/
	$(FUZZ)='^FuzzSplitText$$' ./pkg/article/

# The taggers' fuzz targets are not part of make test: a new finding there would
# make CI fail at random. Their seeds (testdata/fuzz) run as ordinary tests.
fuzz: fuzz-article ## fuzz everything: also the date and entity taggers
	$(FUZZ)='^FuzzFind$$' ./services/enrich/dates/
	$(FUZZ)='^FuzzTag$$' ./services/enrich/entities/

vet: ## gofmt check, go vet, and GOWORK=off vet of every module (as containers build them)
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) vet -tags faults ./services/index/
	@for m in $(MODULES); do (cd $$m && GOWORK=off $(GO) vet ./...) || { echo "GOWORK=off vet fails in $$m: run make tidy"; exit 1; }; done

lint: vet ## staticcheck on every module (installs it through the Go module proxy)
	$(GO) run $(STATICCHECK) $(PKGS)
	$(GO) run $(STATICCHECK) -tags faults ./services/index/

fmt: ## format every module
	gofmt -w $(MODULES)

tidy: ## go mod tidy in every module (GOWORK=off, so each module stands alone)
	@for m in $(MODULES); do (cd $$m && GOWORK=off $(GO) mod tidy) || exit 1; done

clean: ## remove binaries and local data
	rm -rf $(BIN) $(DATA)

model: ## retrain the entity model from CORPORA into services/enrich/entities/model/ner.model (reproducible)
	cd services/enrich && $(GO) run ./cmd/warta-train train --corpus $(abspath $(CORPORA)) --out $(CURDIR)/$(MODEL_DIR)/ner.model

eval: ## score the entity tagger on the development splits of CORPORA (P/R/F1 per type, time per token)
	cd services/enrich && $(GO) run ./cmd/warta-train eval --corpus $(abspath $(CORPORA))

clusters: ## learn the word clusters from TEXT into services/enrich/entities/clusters/clusters.txt (reproducible)
	cd services/enrich && $(GO) run ./cmd/warta-train clusters --corpus $(abspath $(TEXT)) --out $(CURDIR)/services/enrich/entities/clusters/clusters.txt

lexicon: ## count the Indonesian words of TEXT into services/index/analysis/lexicon/id.txt, the stemmer's lexicon
	$(GO) run ./services/index/analysis/cmd/lexicon --corpus $(abspath $(TEXT)) --out $(CURDIR)/services/index/analysis/lexicon/id.txt

langwords: ## count the words of English and Indonesian in TEXT and the train splits of CORPORA into pkg/article/langwords.txt
	cd pkg/article && $(GO) run gen_langwords.go -corpus $(abspath $(TEXT)) -ner $(abspath $(CORPORA)) -out langwords.txt

bench-enrich: ## benchmark the tagging step on one core: paragraphs/s, ns/token, allocations, model memory
	cd services/enrich && $(GO) test -run '^$$' -bench 'BenchmarkEnrich|BenchmarkModelMemory' -benchmem -cpu 1 ./tag/ \
		| awk '/^Benchmark/ {print} /^(goos|cpu|ok)/ {print}'
