# Developer shortcuts; each target calls a script in scripts/.
.PHONY: build test run demo bench fmt verify
build:
	swift build
test:
	scripts/test
run:
	scripts/serve
demo:
	scripts/kopilka demo
verify:
	scripts/kopilka verify
bench:
	scripts/bench
fmt:
	scripts/fmt
