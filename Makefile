# osslivefs — see README.md.  `make`, `make test`, `make demo`, `make bench`.

CC       ?= cc
PKGS     := fuse3 libcurl openssl libxml-2.0
VERSION  := 0.1.0
PREFIX   ?= /usr/local
PYTHON   ?= /usr/bin/python3

# SANITIZE=1 builds everything with ASan+UBSan into its own tree, so the
# instrumented objects never mix with the normal ones.  It runs the mount
# suites with one signing variant: the plain run covers all five.
ifeq ($(SANITIZE),1)
BUILD    ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Allocation stacks of two frames (the allocator and its caller): so
# tests/lsan.supp can name libfuse's own allocations without hiding ours,
# which libfuse calls too.  Raise it to debug a report.
SANENV   := LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
            ASAN_OPTIONS=malloc_context_size=2 \
            UBSAN_OPTIONS=print_stacktrace=1 OSSLIVEFS_VARIANTS=v4-vhost
else
BUILD    ?= build
SANFLAGS :=
endif

# FUSE_USE_VERSION 312: libfuse's fuse_loop_mt then takes the loop config
# that fuse_loop_cfg_create makes.  Below 312 it is the 3.2 symbol, which
# reads that config as the old struct: clone_fd on, max_idle_threads 0 (a
# new thread and a cloned /dev/fuse for every request).
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -D_FILE_OFFSET_BITS=64 -DFUSE_USE_VERSION=312 \
            -DOSSLIVEFS_VERSION=\"$(VERSION)\" -Iinclude \
            $(shell pkg-config --cflags $(PKGS)) $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lpthread

# The layers, top to bottom (README "Development"): each is src/<layer>/
# with its headers in include/<layer>/.  Every source but main.c goes into a
# static library that the daemon, the unit tests and the test tools link
# against.
LAYERS   := fs cache oss http util
LIB_SRC  := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
DEPS     := $(LIB_OBJ:.o=.d) $(BUILD)/obj/main.d
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all test deps unit pytest layers clean install uninstall demo demo-stop bench FORCE
.DELETE_ON_ERROR:

all: $(BUILD)/osslivefs $(TOOL_BIN)

# The compiler and flags everything was built with: when they change, all
# is built again (the file is rewritten only then).
FLAGS    := $(BUILD)/flags
$(FLAGS): FORCE
	@mkdir -p $(dir $@)
	@echo '$(CC) $(CFLAGS) $(LDFLAGS)' | cmp -s - $@ || \
	 echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $@

# -MMD -MP: each object depends on exactly the headers it includes.
$(BUILD)/obj/%.o: src/%.c $(FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(DEPS)

# Made anew each time, so that an object whose source moved or went away
# never lingers in it.
$(BUILD)/libosslivefs.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/osslivefs: $(BUILD)/obj/main.o $(BUILD)/libosslivefs.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libosslivefs.a $(FLAGS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -MMD -MP -MF $@.d $(LDFLAGS) -o $@ $< $(BUILD)/libosslivefs.a $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libosslivefs.a $(FLAGS) | $(BUILD)/tools
	$(CC) $(CFLAGS) -MMD -MP -MF $@.d $(LDFLAGS) -o $@ $< $(BUILD)/libosslivefs.a $(LDLIBS)

-include $(UNIT_BIN:=.d) $(TOOL_BIN:=.d)

$(BUILD)/tests $(BUILD)/tools:
	mkdir -p $@

# No file includes a layer above its own, and the FUSE layer never sees
# curl or libxml2 (design section 3).
layers:
	@sh tests/check-layers.sh $(LAYERS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# The integration tests find the binaries through OSSLIVEFS_BUILD.
pytest: all
	OSSLIVEFS_BUILD=$(abspath $(BUILD)) $(SANENV) $(PYTHON) -m pytest tests $(PYTEST_ARGS)

# make test works on a fresh machine too: as root it first installs the
# Debian packages that are missing; the tests then run in a new make, which
# reads pkg-config's flags afresh.
test: deps
	@$(MAKE) --no-print-directory layers unit pytest

deps:
	@if [ "$$(id -u)" = 0 ]; then sh contrib/install-deps.sh; \
	else sh contrib/install-deps.sh || echo "going on without them"; fi

clean:
	rm -rf build

# --- The front door (README.md): demo, install ------------------------------

# make demo: as root, first install the Debian packages that are missing; the
# build then runs in a new make, which reads pkg-config's flags afresh.
demo: deps
	@$(MAKE) --no-print-directory BUILD=$(BUILD) $(BUILD)/osslivefs
	@BUILD=$(BUILD) sh contrib/demo.sh

demo-stop:
	@BUILD=$(BUILD) sh contrib/demo-stop.sh

# mount -t fuse.osslivefs and fstab need no helper of ours: mount(8) falls
# back from mount.fuse.osslivefs to libfuse's mount.fuse3, which runs
# "osslivefs" from mount's PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:
# /usr/bin:/sbin:/bin), so PREFIX=/usr/local or /usr is all it takes.
BINDIR  = $(PREFIX)/bin
MAN1DIR = $(PREFIX)/share/man/man1

install: $(BUILD)/osslivefs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR)
	install -m 0755 $(BUILD)/osslivefs $(DESTDIR)$(BINDIR)/osslivefs
	install -m 0644 contrib/osslivefs.1 $(DESTDIR)$(MAN1DIR)/osslivefs.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/osslivefs $(DESTDIR)$(MAN1DIR)/osslivefs.1

# make bench: the performance targets of design.md section 6 against the
# emulator (not part of make test; exits non-zero when a target is missed).
bench: all
	@if [ "$$(id -u)" = 0 ]; then sh contrib/install-deps.sh bench; \
	else sh contrib/install-deps.sh bench || echo "going on without them"; fi
	OSSLIVEFS_BUILD=$(abspath $(BUILD)) $(PYTHON) bench/bench.py
