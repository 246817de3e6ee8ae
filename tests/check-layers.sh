#!/bin/sh
# Refuses an include that reaches up: each layer (src/<layer>/ and
# include/<layer>/) may include its own headers and those of the layers
# below it, given top to bottom as arguments ("fs cache oss http util").
# The FUSE layer never includes curl or libxml2; the layers below fs never
# include fuse.  Prints one line per offence and exits 1.
set -eu
cd "$(dirname "$0")/.."

rank() {	# rank NAME -> position from the bottom (1 = lowest), 0 if no layer
	r=0 i=$NLAYERS
	for l in $LAYERS; do
		[ "$l" = "$1" ] && r=$i
		i=$((i - 1))
	done
	echo "$r"
}

LAYERS="$*"
NLAYERS=$#
bad=0
for layer in $LAYERS; do
	mine=$(rank "$layer")
	for f in $(find "src/$layer" "include/$layer" -name '*.[ch]' 2>/dev/null | sort); do
		# #include "layer/file.h" names the layer it reaches into.
		for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)\/.*/\1/p' "$f" | sort -u); do
			[ "$inc" = ".." ] && continue
			theirs=$(rank "$inc")
			if [ "$theirs" -eq 0 ] || [ "$theirs" -gt "$mine" ]; then
				echo "$f: includes \"$inc/...\" from layer $layer" >&2
				bad=1
			fi
		done
		if [ "$layer" = fs ] &&
		   grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(curl|libxml)/' "$f" >&2; then
			echo "$f: the FUSE layer includes curl or libxml2" >&2
			bad=1
		fi
		if [ "$layer" != fs ] &&
		   grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<fuse' "$f" >&2; then
			echo "$f: only the FUSE layer includes fuse" >&2
			bad=1
		fi
	done
done
[ "$bad" -eq 0 ] && echo "layers: every include reaches down ($LAYERS)"
exit "$bad"
