# VProbes on KVM: top-level build.
#
#   make deps    install the Debian packages the build needs (apt-get)
#   make         build libraries, tools, the demo guest and the tests
#   make test    deps + build + every test (ends with "N passed, N failed")
#   make demo    deps + build + run the main job on the demo guest
#   make demo-linux  the same on the stock Linux guest (boot, symbols,
#                two cookbook scripts)
#   make bench   deps + build + benchmarks (tables with ratios)
#   make soak    deps + build + the soak and fault suite's long form
#                (SOAK_MINUTES=N, default 30; tests/soak)
#   make SAN=1   the same, with AddressSanitizer and UBSan, into build-san/
#   make fuzz    coverage-guided fuzzing of the targets in fuzz/ (clang,
#                libFuzzer, ASan, UBSan) into build-fuzz/; FUZZ_SECONDS=N
#                per target (FUZZ_RUNS=N: at most N inputs each),
#                FUZZ_TARGETS="a b" to choose
#
# Libraries are folders: each LIB in $(LIBS) compiles LIB/src/**/*.cpp into
# build/lib/libLIB.a, and LIB/tests/*.cpp into build/tests/LIB_tests.
# Each folder under tools/ is one command, built to build/bin/NAME.
# What links what is declared below; a library's tests link the library and
# what it needs.

LIBS      := cmdline emmett2vp flamegraph symdb vmx-engine vmx-client vmm-engine vp
TOOLS     := $(notdir $(wildcard tools/*))

NEEDS_vp          :=
NEEDS_cmdline     :=
NEEDS_emmett2vp   := symdb vp
NEEDS_flamegraph  := vp
NEEDS_symdb       :=
NEEDS_vmm-engine  := vp
NEEDS_vmx-engine  := vmx-client vmm-engine vp
# The client side of a VM: the control protocol and client, vprobe's script
# session, vmrun's arguments, and the VM's files (.vmx, paths, lock, registry).
NEEDS_vmx-client  := vp
TOOL_LIBS_vp      := cmdline vp
TOOL_LIBS_emmett  := cmdline emmett2vp symdb vp
TOOL_LIBS_emmett-symdb := cmdline symdb
TOOL_LIBS_vmrun   := cmdline vmx-client vp
TOOL_LIBS_vmx     := cmdline vmx-engine vmx-client vmm-engine vp
TOOL_LIBS_vprobe  := cmdline emmett2vp flamegraph symdb vmx-client vp
BENCH_LIBS_vp_ops := vp
BENCH_LIBS_engine_load := emmett2vp symdb vp
BENCH_LIBS_dynamic_probe := vmx-engine vmx-client vmm-engine vp
BENCH_LIBS_vp_contention := vp
BENCH_LIBS_mac_packet := vmx-engine vmx-client vmm-engine vp
BENCH_LIBS        := vmx-engine vmx-client vmm-engine emmett2vp symdb vp   # benches not listed
# Objects a test binary needs beyond its libraries: the VMM tests boot
# guests against the real devices (which open their files as
# vmx-client/private_file.h says), without the rest of vmx-engine.
TEST_EXTRA_vmm-engine = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard vmx-engine/src/devices/*.cpp) \
                        vmx-client/src/private_file.cpp)

ifeq ($(FUZZ),1)
BUILD     ?= build-fuzz
CXX       := clang++
SANFLAGS  := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SANWARN   :=
OPT       := -O1
else ifeq ($(SAN),1)
BUILD     ?= build-san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# GCC 12 reports false maybe-uninitialized warnings inside libstdc++ when
# sanitizing; they are not about our code.
SANWARN   := -Wno-maybe-uninitialized
# -O1 as the sanitizers' documentation advises: fast enough to run, and it
# compiles in about half the time of -O2 under instrumentation.
OPT       := -O1
else
BUILD     ?= build
SANFLAGS  :=
SANWARN   :=
OPT       := -O2
endif

CXX       ?= g++
# Line tables only: backtraces, sanitizer reports and profilers still name
# functions and lines, and the build takes about 40% less time than with
# full -g (the PEGTL and CLI11 templates make huge debug info). For
# variables in a debugger: make DEBUG_INFO=-g (after make clean).
DEBUG_INFO ?= -g1
CXXFLAGS  ?= $(OPT) $(DEBUG_INFO)
CXXFLAGS  += -std=c++20 -Wall -Wextra -Werror -I. -MMD -MP $(SANFLAGS) $(SANWARN)
LDFLAGS   += $(SANFLAGS) -pthread
# libdw and libelf read guest images' DWARF, libbpf their BTF (symdb/); only
# what uses them links them.
LDLIBS    += -lZydis -lz -Wl,--as-needed -lslirp -ldw -lelf -lbpf -Wl,--no-as-needed

DEB_PKGS  := g++ make tao-pegtl-dev libxbyak-dev nlohmann-json3-dev catch2 libzydis-dev zlib1g-dev libslirp-dev \
             libdw-dev libelf-dev libbpf-dev libcli11-dev

# The build every tool's --version names: the commit built ("-dirty" with
# uncommitted changes), "unknown" outside a git checkout. Written to
# $(BUILD)/build-id only when it changes, so only cmdline's build_id.o is
# recompiled (and the tools relinked) when it does.
BUILD_ID  := $(or $(shell git describe --always --dirty 2>/dev/null),unknown)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(BUILD)/build-id 2>/dev/null)" = "$(BUILD_ID)" ] || echo "$(BUILD_ID)" > $(BUILD)/build-id; })
$(BUILD)/obj/cmdline/src/build_id.o: $(BUILD)/build-id
$(BUILD)/obj/cmdline/src/build_id.o: CXXFLAGS += -DVP_BUILD_ID='"$(BUILD_ID)"'

# The builds behind test, demo and bench use every core (CI has two).
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps test demo demo-linux bench soak clean guest san-tests fuzz
.DEFAULT_GOAL := all

lib_srcs   = $(shell find $(1)/src -name '*.cpp' 2>/dev/null | sort)
lib_objs   = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(call lib_srcs,$(1)))
test_srcs  = $(wildcard $(1)/tests/*.cpp)
test_objs  = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(call test_srcs,$(1)))

LIB_FILES  := $(foreach l,$(LIBS),$(if $(call lib_srcs,$(l)),$(BUILD)/lib/lib$(l).a))
TEST_BINS  := $(foreach l,$(LIBS),$(if $(call test_srcs,$(l)),$(BUILD)/tests/$(l)_tests))
TOOL_BINS  := $(foreach t,$(TOOLS),$(BUILD)/bin/$(t))
BENCH_BINS := $(patsubst bench/%.cpp,$(BUILD)/bench/%,$(wildcard bench/*.cpp))
# What the KVM tests use: the tools, the guests and the test binaries with
# [kvm] cases. make test builds these first, so that where the KVM tests run
# in the nested VM, that run starts before the rest of the build, which
# goes on beside it (tests/run-all, REST_BUILD).
KVM_TEST_BINS := $(foreach l,$(LIBS),$(if $(shell grep -l '\[kvm\]' $(call test_srcs,$(l)) /dev/null),$(BUILD)/tests/$(l)_tests))
KVM_TEST_NEEDS := $(TOOL_BINS) $(KVM_TEST_BINS) guest

# Fuzz targets: fuzz/NAME.cpp defines LLVMFuzzerTestOneInput and links the
# libraries FUZZ_LIBS_NAME (plus objects FUZZ_EXTRA_NAME). Each is built
# twice: build-fuzz/fuzz/NAME, the libFuzzer binary (make fuzz), and
# $(BUILD)/fuzz/NAME-replay, which `make test` runs on fuzz/corpus/NAME.
FUZZ_NAMES := $(patsubst fuzz/%.cpp,%,$(wildcard fuzz/*.cpp))
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_LIBS_vp_differential  := vp
FUZZ_EXTRA_vp_differential  = $(BUILD)/obj/vp/tests/harness.o
FUZZ_LIBS_vp_guest_code    := vp
FUZZ_EXTRA_vp_guest_code    = $(BUILD)/obj/vp/tests/harness.o
FUZZ_LIBS_emmett_compile   := emmett2vp symdb vp
FUZZ_LIBS_symdb_read       := symdb
FUZZ_LIBS_vmx_config       := vmx-engine vmx-client vmm-engine vp
FUZZ_LIBS_control_request  := vmx-engine vmx-client vmm-engine vp
FUZZ_LIBS_page_walk        := vmm-engine
FUZZ_LIBS_insn_emulator    := vmm-engine
FUZZ_LIBS_guest_stops      := vmm-engine
FUZZ_REPLAYS := $(patsubst %,$(BUILD)/fuzz/%-replay,$(FUZZ_NAMES))

all: $(TOOL_BINS) $(TEST_BINS) $(BENCH_BINS) $(if $(filter 1,$(FUZZ)),,$(FUZZ_REPLAYS)) guest

# Quiet by default; `make V=1` shows the commands.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) $(CXXFLAGS) -c $< -o $@

define LIB_RULE
$(BUILD)/lib/lib$(1).a: $(call lib_objs,$(1))
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  AR      $$@")
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LIBS),$(if $(call lib_srcs,$(l)),$(eval $(call LIB_RULE,$(l)))))

libs_of    = $(foreach l,$(1),$(if $(call lib_srcs,$(l)),$(BUILD)/lib/lib$(l).a))

# Test code is built without optimization: it compiles in half the time,
# and the code under test (the libraries) keeps its flags.
CATCH_MAIN := $(BUILD)/obj/tests/catch_main.o
$(foreach l,$(LIBS),$(call test_objs,$(l))) $(CATCH_MAIN): OPT := -O0

define TEST_RULE
$(BUILD)/tests/$(1)_tests: $(call test_objs,$(1)) $(CATCH_MAIN) $(TEST_EXTRA_$(1)) $(call libs_of,$(1) $(NEEDS_$(1)))
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  LINK    $$@")
	$(Q)$(CXX) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach l,$(LIBS),$(if $(call test_srcs,$(l)),$(eval $(call TEST_RULE,$(l)))))

define TOOL_RULE
$(BUILD)/bin/$(1): $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard tools/$(1)/*.cpp)) $(call libs_of,$(TOOL_LIBS_$(1)))
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  LINK    $$@")
	$(Q)$(CXX) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call TOOL_RULE,$(t))))

define BENCH_RULE
$(BUILD)/bench/$(1): $(BUILD)/obj/bench/$(1).o $(call libs_of,$(or $(BENCH_LIBS_$(1)),$(BENCH_LIBS)))
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  LINK    $$@")
	$(Q)$(CXX) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach b,$(patsubst bench/%.cpp,%,$(wildcard bench/*.cpp)),$(eval $(call BENCH_RULE,$(b))))

define FUZZ_RULE
$(BUILD)/fuzz/$(1)-replay: $(BUILD)/obj/fuzz/$(1).o $(BUILD)/obj/fuzz/support/replay_main.o $(FUZZ_EXTRA_$(1)) $(call libs_of,$(FUZZ_LIBS_$(1)))
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  LINK    $$@")
	$(Q)$(CXX) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
$(BUILD)/fuzz/$(1): $(BUILD)/obj/fuzz/$(1).o $(FUZZ_EXTRA_$(1)) $(call libs_of,$(FUZZ_LIBS_$(1)))
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  LINK    $$@")
	$(Q)$(CXX) $(LDFLAGS) -fsanitize=fuzzer -o $$@ $$^ $(LDLIBS)
endef
$(foreach f,$(FUZZ_NAMES),$(eval $(call FUZZ_RULE,$(f))))

# The demo guest has its own makefile (freestanding flags, linker script).
# The Linux guest downloads Debian packages with apt; where it cannot, it
# says so in one line and the build goes on without it.
guest: $(BUILD)/bin/emmett-symdb
	@if [ -f guests/demo/Makefile ]; then $(MAKE) -s -C guests/demo; fi
	@if [ -f guests/demo/demo.elf ]; then $(MAKE) -s guests/demo/demo.symdb; fi
	@if [ -f guests/linux/Makefile ]; then $(MAKE) -s -C guests/linux; fi

# The demo kernel's symbol database, beside demo.vmx (external types:
# vprobe -T guests/demo/demo.symdb ... $demo.task).
guests/demo/demo.symdb: guests/demo/demo.elf $(BUILD)/bin/emmett-symdb
	$(BUILD)/bin/emmett-symdb guests/demo/demo.elf -o $@

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) \
	    || { echo "make deps: apt-get failed (run as root with apt reachable)"; exit 1; }; \
	fi

# The parsers and the runtime are also tested under ASan and UBSan.
SAN_TESTS := vp emmett2vp symdb

SAN_REPLAYS := $(foreach f,$(FUZZ_NAMES),$(if $(filter-out $(SAN_TESTS),$(FUZZ_LIBS_$(f))),,build-san/fuzz/$(f)-replay))

san-tests:
	$(MAKE) -j$(JOBS) SAN=1 $(foreach l,$(SAN_TESTS),$(if $(wildcard $(l)/tests/*.cpp),build-san/tests/$(l)_tests)) $(SAN_REPLAYS)

# run-all makes the rest of the build (REST_BUILD=1) and the sanitizer
# build (SAN_BUILD=1) itself, beside the nested-KVM run where there is one.
test: deps
	$(MAKE) -j$(JOBS) $(KVM_TEST_NEEDS)
	BUILD=$(BUILD) REST_BUILD=1 SAN_BUILD=1 MAKE="$(MAKE)" JOBS=$(JOBS) ./tests/run-all

demo: deps
	$(MAKE) -j$(JOBS) all
	BUILD=$(BUILD) ./guests/demo/run-demo

# The stock Linux guest: boot, symbols, two cookbook scripts (minutes
# under nested KVM, seconds on hardware KVM).
demo-linux: deps
	$(MAKE) -j$(JOBS) all
	BUILD=$(BUILD) ./guests/linux/run-demo

bench: deps
	$(MAKE) -j$(JOBS) all
	BUILD=$(BUILD) ./bench/run-all

soak: deps
	$(MAKE) -j$(JOBS) all
	BUILD=$(BUILD) ./tests/soak

fuzz:
	$(MAKE) deps DEB_PKGS="$(DEB_PKGS) clang libclang-rt-14-dev"
	$(MAKE) -j$(JOBS) FUZZ=1 BUILD=$(FUZZ_BUILD) $(addprefix $(FUZZ_BUILD)/fuzz/,$(FUZZ_TARGETS))
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_RUNS=$(FUZZ_RUNS) ./fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf build build-san build-fuzz
	@if [ -f guests/demo/Makefile ]; then $(MAKE) -s -C guests/demo clean; fi

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
